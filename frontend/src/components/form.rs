//! What the forms outside the signed-in shell share: the card around a
//! form, a labelled input with its error under it (named in the input's
//! `aria-describedby`), and ARIA boolean values.

use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;

const PRODUCT: &str = "Backoffice";

/// `"true"` or `"false"`, for ARIA attributes such as `aria-invalid`.
pub fn bool_attr(value: bool) -> &'static str {
    if value {
        "true"
    } else {
        "false"
    }
}

/// A labelled input bound to `value`, its error (`{id}-error`) under it,
/// then `children` (help that follows the typing). `aria-describedby` names
/// `hints` (ids in the help) and, while there is one, the error. The error
/// element stays in the page, empty and taking no space, so that screen
/// readers hear a message when it appears.
#[component]
pub fn InputField(
    id: &'static str,
    label: &'static str,
    /// The input's `type`.
    kind: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    input_ref: NodeRef<html::Input>,
    #[prop(optional)] hints: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let invalid = move || error.with(Option::is_some);
    let described_by = {
        let error_id = error_id.clone();
        move || {
            let ids = if invalid() {
                format!("{hints} {error_id}")
            } else {
                hints.to_owned()
            };
            let ids = ids.trim().to_owned();
            (!ids.is_empty()).then_some(ids)
        }
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                autocapitalize="none"
                spellcheck="false"
                required
                aria-invalid=move || bool_attr(invalid())
                aria-describedby=described_by
                node_ref=input_ref
                bind:value=value
            />
            <p class="field-error" id=error_id aria-live="polite">
                {move || error.get()}
            </p>
            {children.map(|children| children())}
        </div>
    }
}

/// A card holding one form: heading, lead, the alert for problems that are
/// not about one field, the fields (`children`), the submit button (busy
/// and disabled while `pending`), and a link under the form.
#[component]
pub fn FormCard(
    title: &'static str,
    #[prop(into)] lead: String,
    alert: RwSignal<Option<String>>,
    pending: RwSignal<bool>,
    /// The button's label, and its label while the form is sent.
    submit: (&'static str, &'static str),
    /// Called on submit, unless the form is still being sent.
    on_submit: Callback<()>,
    /// `(href, label)` of the link under the form.
    footer: (&'static str, &'static str),
    children: Children,
) -> impl IntoView {
    view! {
        <main class="auth-layout">
            <div class="auth-card">
                <p class="auth-product">{PRODUCT}</p>
                <h1 class="auth-title">{title}</h1>
                <p class="auth-subtitle">{lead}</p>
                <div class="form-alert" role="alert" id="form-error">
                    {move || alert.get().map(|message| view! { <p>{message}</p> })}
                </div>
                <form
                    class="auth-form"
                    novalidate
                    on:submit=move |ev: SubmitEvent| {
                        ev.prevent_default();
                        if !pending.get_untracked() {
                            on_submit.run(());
                        }
                    }
                >
                    {children()}
                    <button
                        type="submit"
                        class="button button-primary button-block"
                        disabled=move || pending.get()
                        aria-busy=move || bool_attr(pending.get())
                    >
                        {move || if pending.get() { submit.1 } else { submit.0 }}
                    </button>
                </form>
                <p class="auth-footer">
                    <a href=footer.0>{footer.1}</a>
                </p>
            </div>
        </main>
    }
}
