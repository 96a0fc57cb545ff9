//! The app's one modal dialog (Change password, the user editor): the
//! browser's own `<dialog>` opened with `showModal()`, so the page behind
//! is inert; Tab and Shift+Tab wrap inside it, Escape closes it, and focus
//! goes back to what had it before.

use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// What Tab can reach in a dialog.
const FOCUSABLE: &str = "input:not([hidden]):not(:disabled), select:not(:disabled), \
                         button:not([hidden]):not(:disabled)";

/// A modal dialog, open while rendered: the caller renders it only while it
/// should be open, and `on_close` (Escape, or the dialog closed by the
/// browser) asks the caller to stop. Focus returns to the element that had
/// it when the dialog opened.
#[component]
pub fn ModalDialog(
    /// The id of the heading inside `children` that names the dialog.
    labelled_by: &'static str,
    /// The id of the text inside `children` that describes it, if any.
    #[prop(optional)]
    described_by: Option<&'static str>,
    /// Room for a form of two columns.
    #[prop(optional)]
    wide: bool,
    on_close: Callback<()>,
    children: Children,
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
        // Leaving the top layer first lets the opener take focus at once.
        if let Some(dialog) = dialog.try_get_untracked().flatten() {
            dialog.close();
        }
        if let Some(Some(element)) = opener.try_get_value() {
            let _ = element.focus();
        }
    });
    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            let _ = on_close.try_run(());
        }
        "Tab" => {
            if let Some(dialog) = dialog.get_untracked() {
                keep_tab_inside(&ev, &dialog);
            }
        }
        _ => {}
    };
    view! {
        <dialog
            class=if wide { "modal modal-wide" } else { "modal" }
            aria-modal="true"
            aria-labelledby=labelled_by
            aria-describedby=described_by
            node_ref=dialog
            on:keydown=on_keydown
            on:close=move |_| { let _ = on_close.try_run(()); }
        >
            {children()}
        </dialog>
    }
}

/// Tab on the last control goes to the first, Shift+Tab on the first (or
/// from outside) to the last. Controls in a hidden part do not count.
fn keep_tab_inside(ev: &KeyboardEvent, container: &web_sys::Element) {
    let Ok(found) = container.query_selector_all(FOCUSABLE) else {
        return;
    };
    let controls: Vec<web_sys::HtmlElement> = (0..found.length())
        .filter_map(|index| found.item(index))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|control| control.offset_parent().is_some())
        .collect();
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
        return;
    };
    let active = document().active_element();
    let is = |control: &web_sys::HtmlElement| {
        active
            .as_ref()
            .is_some_and(|element| element == control.unchecked_ref::<web_sys::Element>())
    };
    let inside = active
        .as_ref()
        .is_some_and(|element| container.contains(Some(element)));
    let target = if ev.shift_key() {
        (is(first) || !inside).then_some(last)
    } else {
        (is(last) || !inside).then_some(first)
    };
    if let Some(control) = target {
        ev.prevent_default();
        let _ = control.focus();
    }
}
