//! Starts the Backoffice single-page app in the browser.

mod api;
mod app;
mod components;
mod i18n;
mod pages;
mod router;
mod session;

fn main() {
    // Debug builds name a panic in the console. Release builds leave the
    // hook out (1.2 KB gzipped, decision 0031): with `panic = "abort"` a
    // panic there shows only as `unreachable`.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
