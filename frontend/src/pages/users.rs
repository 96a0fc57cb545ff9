//! `/users`: the accounts an administrator or supervisor may manage, with
//! search, filters and paging; New user and each account open the editor.
//! The API decides who sees what (a supervisor only its facilities'
//! accounts); this page shows what it answers.

use crate::api::ApiError;
use crate::components::modal::ModalDialog;
use crate::components::page_title::set_page_title;
use crate::components::profile_form::format_timestamp_in;
use crate::components::user_editor::UserEditor;
use crate::i18n::{problem_text, role_label, td_string, tr, use_locale};
use crate::session::use_session;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::account::AccountStatus;
use shared::admin::{FacilityView, Page, UserView};
use shared::Role;

const PER_PAGE: usize = 20;

/// The search and filters as sent: text, role, status and facility (empty
/// for any), and the page.
#[derive(Clone, Default, PartialEq)]
struct Query {
    text: String,
    role: String,
    status: String,
    facility: String,
    page: usize,
}

impl Query {
    fn encoded(&self) -> String {
        let mut pairs = vec![
            format!("page={}", self.page.max(1)),
            format!("per_page={PER_PAGE}"),
        ];
        for (name, value) in [
            ("q", &self.text),
            ("role", &self.role),
            ("status", &self.status),
            ("facility", &self.facility),
        ] {
            if !value.trim().is_empty() {
                let value = js_sys::encode_uri_component(value.trim());
                pairs.push(format!("{name}={value}"));
            }
        }
        pairs.join("&")
    }
}

/// Which account the editor shows: a new one, or one from the list.
#[derive(Clone)]
pub enum Editing {
    New,
    /// Boxed: far larger than `New`.
    Existing(Box<UserView>),
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let session = use_session();
    let locale = use_locale();
    let api = session.api();
    let actor = session.me().map(|me| me.role);
    let tenant_name = session.tenant_name();
    Effect::new(move |_| {
        let title = td_string!(locale.get(), users.title);
        set_page_title(&format!("{title} · {tenant_name}"));
    });
    if actor.is_none_or(|role| role == Role::Fulfiller) {
        return view! {
            <h1 class="page-title">{tr(|l| td_string!(l, users.title))}</h1>
            <p class="page-lead">{tr(|l| td_string!(l, users.not_allowed))}</p>
        }
        .into_any();
    }

    let query = RwSignal::new(Query {
        page: 1,
        ..Query::default()
    });
    // The filter inputs; the query follows them on Search (and at once for
    // the drop-downs).
    let draft = RwSignal::new(Query::default());
    let page = RwSignal::new(None::<Result<Page<UserView>, ApiError>>);
    let facilities = RwSignal::new(Vec::<FacilityView>::new());
    let reload = RwSignal::new(0_u32);
    // The account in the editor; the dialog is open while there is one.
    let editing = RwSignal::new(None::<Editing>);
    let status = RwSignal::new(None::<String>);

    spawn_local(async move {
        if let Ok(list) = api.facilities().await {
            let _ = facilities.try_set(list);
        }
    });
    Effect::new(move |_| {
        reload.track();
        let encoded = query.with(Query::encoded);
        spawn_local(async move {
            let answer = api.users(&encoded).await;
            let _ = page.try_set(Some(answer));
        });
    });

    let apply = move || {
        let mut next = draft.get_untracked();
        next.page = 1;
        query.set(next);
    };
    let on_search = move |ev: SubmitEvent| {
        ev.prevent_default();
        apply();
    };
    let open_editor = move |target: Editing| {
        status.set(None);
        editing.set(Some(target));
    };
    let on_saved = Callback::new(move |message: String| {
        status.set(Some(message));
        reload.update(|n| *n = n.wrapping_add(1));
    });

    let filter_select = move |id: &'static str,
                              label: fn(crate::i18n::Locale) -> &'static str,
                              pick: fn(&mut Query) -> &mut String,
                              options: Signal<Vec<(String, String)>>| {
        view! {
            <div class="field">
                <label for=id>{move || label(locale.get())}</label>
                <select
                    id=id
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        draft.update(|d| *pick(d) = value);
                        apply();
                    }
                >
                    <option value="">{tr(|l| td_string!(l, users.any))}</option>
                    {move || {
                        options
                            .get()
                            .into_iter()
                            .map(|(value, text)| view! { <option value=value>{text}</option> })
                            .collect_view()
                    }}
                </select>
            </div>
        }
    };
    let roles = Signal::derive(move || {
        let l = locale.get();
        [Role::Administrator, Role::Supervisor, Role::Fulfiller]
            .into_iter()
            .map(|role| (role.as_str().to_owned(), role_label(l, role).to_owned()))
            .collect()
    });
    let statuses = Signal::derive(move || {
        let l = locale.get();
        vec![
            ("ACTIVE".to_owned(), td_string!(l, users.active).to_owned()),
            (
                "INACTIVE".to_owned(),
                td_string!(l, users.inactive).to_owned(),
            ),
        ]
    });
    let facility_options = Signal::derive(move || {
        facilities
            .get()
            .into_iter()
            .map(|f| (f.id, format!("{} ({})", f.name, f.code)))
            .collect()
    });

    view! {
        <div class="page-heading">
            <h1 class="page-title">{tr(|l| td_string!(l, users.title))}</h1>
            <button
                type="button"
                class="button button-primary"
                on:click=move |_| open_editor(Editing::New)
            >
                {tr(|l| td_string!(l, users.new_user))}
            </button>
        </div>
        <form class="users-filters" role="search" on:submit=on_search>
            <div class="field">
                <label for="users-search">{tr(|l| td_string!(l, users.search))}</label>
                <input
                    id="users-search"
                    type="search"
                    autocomplete="off"
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        draft.update(|d| d.text = value);
                    }
                />
            </div>
            {filter_select("users-role", |l| td_string!(l, users.role), |q| &mut q.role, roles)}
            {filter_select(
                "users-status",
                |l| td_string!(l, users.status),
                |q| &mut q.status,
                statuses,
            )}
            {filter_select(
                "users-facility",
                |l| td_string!(l, users.facility),
                |q| &mut q.facility,
                facility_options,
            )}
            <button type="submit" class="button button-secondary">
                {tr(|l| td_string!(l, users.search_button))}
            </button>
        </form>
        <p class="form-status" role="status">{move || status.get()}</p>
        {move || match page.get() {
            None => view! { <p class="page-lead">{tr(|l| td_string!(l, common.loading))}</p> }
                .into_any(),
            Some(Err(error)) => view! {
                <p class="form-alert" role="alert">{problem_text(locale.get(), &error)}</p>
            }
            .into_any(),
            Some(Ok(found)) => view! { <UsersTable found query open_editor/> }.into_any(),
        }}
        {move || {
            editing
                .get()
                .map(|target| {
                    let close = Callback::new(move |()| editing.set(None));
                    view! {
                        <ModalDialog labelled_by="user-editor-title" wide=true on_close=close>
                            <UserEditor
                                target
                                facilities=facilities.get_untracked()
                                actor=actor.unwrap_or(Role::Fulfiller)
                                close
                                on_saved
                            />
                        </ModalDialog>
                    }
                })
        }}
    }
    .into_any()
}

/// One page of accounts and the paging under it.
#[component]
fn UsersTable(
    found: Page<UserView>,
    query: RwSignal<Query>,
    open_editor: impl Fn(Editing) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let locale = use_locale();
    let l = locale.get_untracked();
    let pages = found.total.div_ceil(found.per_page.max(1)).max(1);
    let current = found.page;
    let go = move |to: usize| query.update(|q| q.page = to);
    if found.items.is_empty() {
        return view! { <p class="page-lead">{td_string!(l, users.none_found)}</p> }.into_any();
    }
    let rows = found
        .items
        .into_iter()
        .map(|user| {
            let name = format!("{} {}", user.first_name, user.last_name)
                .trim()
                .to_owned();
            let facilities = if user.role == Role::Administrator {
                td_string!(l, users.all_facilities).to_owned()
            } else {
                user.facilities
                    .iter()
                    .map(|f| f.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let status = match user.status {
                AccountStatus::Active => td_string!(l, users.active),
                AccountStatus::Inactive => td_string!(l, users.inactive),
            };
            let last = user.last_login_at.as_deref().map_or_else(
                || td_string!(l, users.never).to_owned(),
                |at| format_timestamp_in(at, l),
            );
            let role = role_label(l, user.role);
            let inactive = user.status == AccountStatus::Inactive;
            let username = user.username.clone();
            view! {
                <tr class:row-inactive=inactive>
                    <th scope="row">
                        <button
                            type="button"
                            class="link-button"
                            on:click=move |_| open_editor(Editing::Existing(Box::new(user.clone())))
                        >
                            {name}
                        </button>
                    </th>
                    <td>{username}</td>
                    <td>{role}</td>
                    <td>{facilities}</td>
                    <td>{status}</td>
                    <td>{last}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="users-table">
                <caption class="visually-hidden">{td_string!(l, users.title)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{td_string!(l, users.name)}</th>
                        <th scope="col">{td_string!(l, users.username)}</th>
                        <th scope="col">{td_string!(l, users.role)}</th>
                        <th scope="col">{td_string!(l, users.facilities)}</th>
                        <th scope="col">{td_string!(l, users.status)}</th>
                        <th scope="col">{td_string!(l, users.last_sign_in)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav class="paging" aria-label=td_string!(l, users.paging)>
            <button
                type="button"
                class="button button-secondary"
                disabled={current <= 1}
                on:click=move |_| go(current - 1)
            >
                {td_string!(l, users.previous)}
            </button>
            <span>
                {td_string!(l, users.page_of, page = current, pages = pages, total = found.total)}
            </span>
            <button
                type="button"
                class="button button-secondary"
                disabled={current >= pages}
                on:click=move |_| go(current + 1)
            >
                {td_string!(l, users.next)}
            </button>
        </nav>
    }
    .into_any()
}
