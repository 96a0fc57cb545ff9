//! The browser tab's title, set by each page so tabs and history read well.

/// Sets `document.title`.
pub fn set_page_title(title: &str) {
    if let Some(document) = web_sys::window().and_then(|window| window.document()) {
        document.set_title(title);
    }
}
