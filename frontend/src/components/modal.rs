//! A modal dialog for the Users screens: the browser's own `<dialog>`
//! opened with `showModal()`, so the page behind is inert, Tab stays inside
//! and Escape closes it; focus goes back to what had it before.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Rendered while `open`; closing (Escape, a Close button that sets `open`
/// to false, or the dialog's own close) clears `open` and gives focus back
/// to the element that had it when the dialog opened.
#[component]
pub fn Modal(
    /// The id of the heading inside `children` that names the dialog.
    labelled_by: &'static str,
    open: RwSignal<bool>,
    children: ChildrenFn,
) -> impl IntoView {
    let children = StoredValue::new(children);
    move || {
        open.get()
            .then(|| view! { <OpenModal labelled_by open children=children.get_value()/> })
    }
}

#[component]
fn OpenModal(
    labelled_by: &'static str,
    open: RwSignal<bool>,
    children: ChildrenFn,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let opener = document()
        .active_element()
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    let opener = StoredValue::new_local(opener);
    Effect::new(move |_| {
        if let Some(dialog) = dialog.get() {
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
        }
    });
    on_cleanup(move || {
        if let Some(Some(element)) = opener.try_get_value() {
            let _ = element.focus();
        }
    });
    view! {
        <dialog
            class="modal modal-wide"
            aria-modal="true"
            aria-labelledby=labelled_by
            node_ref=dialog
            on:close=move |_| {
                let _ = open.try_set(false);
            }
        >
            {children()}
        </dialog>
    }
}
