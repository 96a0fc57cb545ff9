//! Starts the Backoffice single-page app in the browser.

mod api;
mod app;
mod components;
mod pages;
mod session;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
