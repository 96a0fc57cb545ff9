//! The round profile button at the top right (the user's initials) and its
//! menu: Account settings and Log out, usable by keyboard and screen reader.

use crate::i18n::{td_string, tr, use_locale};
use crate::session::use_session;
use leptos::ev;
use leptos::html;
use leptos::leptos_dom::helpers::window_event_listener;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::Me;
use wasm_bindgen::JsCast;

#[component]
pub fn ProfileMenu() -> impl IntoView {
    let session = use_session();
    let locale = use_locale();
    // Follows a change of name in Account settings.
    let initials = Memo::new(move |_| session.me().map(|me| initials(&me)).unwrap_or_default());
    // The accessible name starts with what the button shows (the initials),
    // as speech input users say what they see.
    let label = move || {
        initials.with(|initials| {
            if initials.is_empty() {
                td_string!(locale.get(), shell.profile_menu).to_owned()
            } else {
                td_string!(locale.get(), account.profile_button, initials = initials)
            }
        })
    };

    let open = RwSignal::new(false);
    let logging_out = RwSignal::new(false);
    let container = NodeRef::<html::Div>::new();
    let button = NodeRef::<html::Button>::new();
    let menu = NodeRef::<html::Div>::new();

    let focus_button = move || {
        if let Some(button) = button.get_untracked() {
            let _ = button.focus();
        }
    };
    let close = move || {
        let _ = open.try_set(false);
    };

    // Opening moves focus to the first item, as menus do.
    Effect::new(move |_| {
        if open.get() {
            focus_item(menu, ItemTarget::First);
        }
    });

    // A click anywhere else closes the menu.
    let outside_click = window_event_listener(ev::click, move |ev| {
        if open.try_get_untracked() != Some(true) {
            return;
        }
        let Some(container) = container.try_get_untracked().flatten() else {
            return;
        };
        let target = ev.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        if target.is_some_and(|node| container.contains(Some(&node))) {
            return;
        }
        close();
        // Give focus back unless the click put it somewhere else.
        if focus_is_nowhere() {
            focus_button();
        }
    });
    on_cleanup(move || outside_click.remove());

    let on_button_keydown = move |ev: ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" | "ArrowUp" => {
            ev.prevent_default();
            let target = if ev.key() == "ArrowUp" {
                ItemTarget::Last
            } else {
                ItemTarget::First
            };
            if open.get_untracked() {
                focus_item(menu, target);
            } else {
                open.set(true);
            }
        }
        "Escape" if open.get_untracked() => {
            ev.prevent_default();
            close();
        }
        _ => {}
    };

    let on_menu_keydown = move |ev: ev::KeyboardEvent| {
        let target = match ev.key().as_str() {
            "ArrowDown" => ItemTarget::Next,
            "ArrowUp" => ItemTarget::Previous,
            "Home" => ItemTarget::First,
            "End" => ItemTarget::Last,
            "Escape" => {
                ev.prevent_default();
                close();
                focus_button();
                return;
            }
            "Tab" => {
                close();
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        focus_item(menu, target);
    };

    let on_log_out = move |_| {
        if logging_out.get_untracked() {
            return;
        }
        logging_out.set(true);
        spawn_local(async move {
            // Signing out makes the signed-in shell redirect to /login.
            session.log_out().await;
            let _ = logging_out.try_set(false);
            let _ = open.try_set(false);
        });
    };

    view! {
        <div class="profile-menu" node_ref=container>
            <button
                type="button"
                id="profile-menu-button"
                class="profile-button"
                aria-label=label
                aria-haspopup="menu"
                aria-controls="profile-menu"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                node_ref=button
                on:click=move |_| open.update(|o| *o = !*o)
                on:keydown=on_button_keydown
            >
                <span aria-hidden="true">{move || initials.get()}</span>
            </button>
            <div
                id="profile-menu"
                class="profile-menu-list"
                role="menu"
                aria-labelledby="profile-menu-button"
                hidden=move || !open.get()
                node_ref=menu
                on:keydown=on_menu_keydown
            >
                <a
                    href="/account"
                    class="profile-menu-item"
                    role="menuitem"
                    tabindex="-1"
                    on:click=move |_| close()
                >
                    {tr(|l| td_string!(l, shell.account_settings))}
                </a>
                <button
                    type="button"
                    class="profile-menu-item"
                    role="menuitem"
                    tabindex="-1"
                    aria-busy=move || if logging_out.get() { "true" } else { "false" }
                    on:click=on_log_out
                >
                    {tr(|l| td_string!(l, shell.log_out))}
                </button>
            </div>
        </div>
    }
}

/// Which menu item to focus.
#[derive(Clone, Copy)]
enum ItemTarget {
    First,
    Last,
    Next,
    Previous,
}

fn focus_item(menu: NodeRef<html::Div>, target: ItemTarget) {
    let Some(menu) = menu.try_get_untracked().flatten() else {
        return;
    };
    let Ok(nodes) = menu.query_selector_all("[role=menuitem]") else {
        return;
    };
    let items: Vec<web_sys::HtmlElement> = (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .collect();
    if items.is_empty() {
        return;
    }
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let current = items.iter().position(|item| {
        active
            .as_ref()
            .is_some_and(|a| a == item.unchecked_ref::<web_sys::Element>())
    });
    let last = items.len() - 1;
    let index = match (target, current) {
        (ItemTarget::First, _) | (ItemTarget::Next, None) => 0,
        (ItemTarget::Last, _) | (ItemTarget::Previous, None) => last,
        (ItemTarget::Next, Some(i)) => (i + 1) % items.len(),
        (ItemTarget::Previous, Some(i)) => i.checked_sub(1).unwrap_or(last),
    };
    if let Some(item) = items.get(index) {
        let _ = item.focus();
    }
}

/// Whether no element has focus (a click on plain page content).
fn focus_is_nowhere() -> bool {
    let document = web_sys::window().and_then(|w| w.document());
    let active = document.as_ref().and_then(|d| d.active_element());
    let body = document.as_ref().and_then(|d| d.body());
    match (active, body) {
        (None, _) => true,
        (Some(active), Some(body)) => active == *body.unchecked_ref::<web_sys::Element>(),
        (Some(_), None) => false,
    }
}

/// Up to two letters for the avatar: first and last name, else the username.
pub fn initials(me: &Me) -> String {
    let from_names: String = [&me.first_name, &me.last_name]
        .iter()
        .filter_map(|name| name.trim().chars().next())
        .collect();
    let letters = if from_names.is_empty() {
        me.username.chars().take(2).collect()
    } else {
        from_names
    };
    // The browser's upper-casing: Rust's would bring its Unicode tables
    // into the bundle for two letters.
    String::from(js_sys::JsString::from(letters).to_upper_case())
}
