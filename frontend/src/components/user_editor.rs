//! The editor of one account in the Users screens, inside a modal dialog:
//! a new account (invited by email, or given a temporary password), or an
//! existing one (names, email, role, facilities, saved with the version
//! read, and the actions: activate or deactivate, set a temporary password,
//! unlock, sign out everywhere, send the invitation again).

use crate::api::{ApiError, UserAction};
use crate::components::form::bool_attr;
use crate::i18n::{field_texts, problem_text, role_label, td_string, tr, use_locale, Locale};
use crate::pages::users::Editing;
use crate::session::use_session;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::account::{AccountStatus, SignInMethod};
use shared::admin::{FacilityView, NewUser, SetPassword, UserChanges, UserView};
use shared::password_policy::DEFAULT_MIN_LENGTH;
use shared::{ProblemCode, Role};

const ALL_ROLES: [Role; 3] = [Role::Administrator, Role::Supervisor, Role::Fulfiller];

/// The inputs of the form, one signal each.
#[derive(Clone, Copy)]
struct Fields {
    username: RwSignal<String>,
    first_name: RwSignal<String>,
    last_name: RwSignal<String>,
    email: RwSignal<String>,
    role: RwSignal<Role>,
    facilities: RwSignal<Vec<String>>,
    /// A new account's temporary password, or one set for an existing one.
    password: RwSignal<String>,
}

impl Fields {
    fn new(user: Option<&UserView>) -> Self {
        let text =
            |pick: fn(&UserView) -> String| RwSignal::new(user.map(pick).unwrap_or_default());
        Fields {
            username: text(|u| u.username.clone()),
            first_name: text(|u| u.first_name.clone()),
            last_name: text(|u| u.last_name.clone()),
            email: text(|u| u.email.clone().unwrap_or_default()),
            role: RwSignal::new(user.map_or(Role::Fulfiller, |u| u.role)),
            facilities: RwSignal::new(
                user.map(|u| u.facilities.iter().map(|f| f.id.clone()).collect())
                    .unwrap_or_default(),
            ),
            password: RwSignal::new(String::new()),
        }
    }

    /// The facilities to send: none for an administrator, who sees all.
    fn facility_ids(self) -> Vec<String> {
        if self.role.get_untracked() == Role::Administrator {
            Vec::new()
        } else {
            self.facilities.get_untracked()
        }
    }

    fn load(self, user: &UserView) {
        self.first_name.set(user.first_name.clone());
        self.last_name.set(user.last_name.clone());
        self.email.set(user.email.clone().unwrap_or_default());
        self.role.set(user.role);
        self.facilities
            .set(user.facilities.iter().map(|f| f.id.clone()).collect());
    }
}

fn mark_edited(edited: RwSignal<Vec<&'static str>>, field: &'static str) {
    if !edited.with_untracked(|fields| fields.contains(&field)) {
        edited.update(|fields| fields.push(field));
    }
}

#[component]
pub fn UserEditor(
    target: Editing,
    /// The facilities the actor may assign.
    facilities: Vec<FacilityView>,
    /// The signed-in person's role: a supervisor cannot make administrators.
    actor: Role,
    /// Closes the dialog.
    close: Callback<()>,
    /// Told what happened, for the page's status line, after a save.
    on_saved: Callback<String>,
) -> impl IntoView {
    let api = use_session().api();
    let locale = use_locale();
    let existing = match &target {
        Editing::New => None,
        Editing::Existing(user) => Some(UserView::clone(user)),
    };
    let is_new = existing.is_none();
    let fields = Fields::new(existing.as_ref());
    // The account as last read or written: its version goes with a save.
    let stored = RwSignal::new(existing);
    let refusal = RwSignal::new(None::<ApiError>);
    // Fields changed since the server refused them: their message goes.
    let edited = RwSignal::new(Vec::<&'static str>::new());
    let notice = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    // Whether the last request was one of the actions under the form: its
    // outcome shows there, where the person is looking.
    let from_action = RwSignal::new(false);

    // A request starts: earlier verdicts and notices go.
    let begin = move |action: bool| {
        refusal.set(None);
        edited.set(Vec::new());
        notice.set(None);
        from_action.set(action);
        pending.set(true);
    };
    let field_error = move |field: &'static str| {
        move || {
            if edited.with(|fields| fields.contains(&field)) {
                return None;
            }
            refusal.with(|error| {
                let texts = error
                    .as_ref()
                    .map(|e| field_texts(locale.get(), e, field, DEFAULT_MIN_LENGTH))
                    .unwrap_or_default();
                (!texts.is_empty()).then(|| texts.join(" "))
            })
        }
    };
    let alert = move || {
        refusal.with(|error| {
            let error = error.as_ref()?;
            let l = locale.get();
            Some(match error.code() {
                Some(ProblemCode::ValidationFailed) => {
                    td_string!(l, problem.validation_failed).to_owned()
                }
                Some(ProblemCode::VersionConflict) => td_string!(l, users.conflict).to_owned(),
                _ => problem_text(l, error).to_owned(),
            })
        })
    };
    let conflict = move || {
        refusal.with(|e| e.as_ref().and_then(ApiError::code) == Some(ProblemCode::VersionConflict))
    };

    // Reads the account again after an action or a conflict; the form keeps
    // what was typed unless `reset` asks for the stored values.
    let reread = move |reset: bool| {
        let Some(id) = stored.with_untracked(|u| u.as_ref().map(|u| u.id.clone())) else {
            return;
        };
        spawn_local(async move {
            if let Ok(user) = api.user(&id).await {
                if reset {
                    fields.load(&user);
                    let _ = refusal.try_set(None);
                }
                let _ = stored.try_set(Some(user));
            }
        });
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        begin(false);
        let l = locale.get_untracked();
        let email = fields.email.get_untracked().trim().to_owned();
        let role = fields.role.get_untracked();
        let facility_ids = (role != Role::Administrator).then(|| fields.facility_ids());
        match stored.get_untracked() {
            None => {
                let password = fields.password.get_untracked();
                let invited = password.is_empty();
                let body = NewUser {
                    username: fields.username.get_untracked().trim().to_owned(),
                    first_name: fields.first_name.get_untracked(),
                    last_name: fields.last_name.get_untracked(),
                    email: (!email.is_empty()).then(|| email.clone()),
                    role,
                    facility_ids,
                    locale: None,
                    password: (!invited).then_some(password),
                };
                spawn_local(async move {
                    let answer = api.create_user(&body).await;
                    let _ = pending.try_set(false);
                    match answer {
                        Ok(user) => {
                            let message = if invited {
                                td_string!(l, users.created_invited, email = email)
                            } else {
                                td_string!(l, users.created_with_password, username = user.username)
                            };
                            let _ = close.try_run(());
                            let _ = on_saved.try_run(message);
                        }
                        Err(error) => {
                            let _ = refusal.try_set(Some(error));
                        }
                    }
                });
            }
            Some(user) => {
                let body = UserChanges {
                    version: user.version,
                    first_name: Some(fields.first_name.get_untracked()),
                    last_name: Some(fields.last_name.get_untracked()),
                    email: Some((!email.is_empty()).then_some(email)),
                    role: Some(role),
                    facility_ids: Some(facility_ids.unwrap_or_default()),
                    ..UserChanges::default()
                };
                spawn_local(async move {
                    let answer = api.update_user(&user.id, &body).await;
                    let _ = pending.try_set(false);
                    match answer {
                        Ok(saved) => {
                            let _ = close.try_run(());
                            let _ = on_saved.try_run(td_string!(
                                l,
                                users.saved,
                                username = saved.username
                            ));
                        }
                        Err(error) => {
                            let _ = refusal.try_set(Some(error));
                        }
                    }
                });
            }
        }
    };

    // One action on the stored account; its outcome shows in the dialog.
    let act = move |action: UserAction, done: fn(Locale) -> &'static str| {
        let Some(user) = stored.get_untracked() else {
            return;
        };
        if pending.get_untracked() {
            return;
        }
        begin(true);
        let body = (action == UserAction::SetPassword).then(|| SetPassword {
            password: fields.password.get_untracked(),
        });
        spawn_local(async move {
            let answer = api.user_action(&user.id, action, body.as_ref()).await;
            let _ = pending.try_set(false);
            match answer {
                Ok(()) => {
                    let _ = notice.try_set(Some(done(locale.get_untracked()).to_owned()));
                    fields.password.set(String::new());
                    reread(false);
                }
                Err(error) => {
                    let _ = refusal.try_set(Some(error));
                }
            }
        });
    };
    let toggle_status = move || {
        let Some(user) = stored.get_untracked() else {
            return;
        };
        let next = match user.status {
            AccountStatus::Active => AccountStatus::Inactive,
            AccountStatus::Inactive => AccountStatus::Active,
        };
        begin(true);
        let body = UserChanges {
            version: user.version,
            status: Some(next),
            ..UserChanges::default()
        };
        spawn_local(async move {
            let answer = api.update_user(&user.id, &body).await;
            let _ = pending.try_set(false);
            match answer {
                Ok(saved) => {
                    let l = locale.get_untracked();
                    let text = match saved.status {
                        AccountStatus::Active => td_string!(l, users.activated),
                        AccountStatus::Inactive => td_string!(l, users.deactivated),
                    };
                    let _ = notice.try_set(Some(text.to_owned()));
                    let _ = stored.try_set(Some(saved));
                }
                Err(error) => {
                    let _ = refusal.try_set(Some(error));
                }
            }
        });
    };

    let roles: Vec<Role> = ALL_ROLES
        .into_iter()
        .filter(|role| actor == Role::Administrator || *role != Role::Administrator)
        .collect();
    let title = move || {
        let l = locale.get();
        match stored.get() {
            None => td_string!(l, users.new_user).to_owned(),
            Some(user) => td_string!(l, users.edit_title, username = user.username),
        }
    };
    // A supervisor's new account gets its facilities unless it unticks some,
    // as the API does when none are named.
    if is_new && actor == Role::Supervisor {
        fields
            .facilities
            .set(facilities.iter().map(|f| f.id.clone()).collect());
    }
    let facility_boxes = facilities
        .into_iter()
        .map(|facility| {
            let id = facility.id.clone();
            let checked = {
                let id = id.clone();
                move || fields.facilities.with(|chosen| chosen.contains(&id))
            };
            let on_change = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                mark_edited(edited, "facility_ids");
                fields.facilities.update(|chosen| {
                    chosen.retain(|f| *f != id);
                    if on {
                        chosen.push(id.clone());
                    }
                });
            };
            view! {
                <label class="check">
                    <input type="checkbox" prop:checked=checked on:change=on_change/>
                    {format!("{} ({})", facility.name, facility.code)}
                </label>
            }
        })
        .collect_view();

    let text_field = move |id: &'static str,
                           field: &'static str,
                           label: fn(Locale) -> &'static str,
                           kind: &'static str,
                           value: RwSignal<String>| {
        let error = field_error(field);
        let error_id = format!("{id}-error");
        let described = error_id.clone();
        view! {
            <div class="field">
                <label for=id>{move || label(locale.get())}</label>
                <input
                    id=id
                    type=kind
                    autocomplete="off"
                    aria-invalid=move || bool_attr(error().is_some())
                    aria-describedby=described
                    bind:value=value
                    on:input=move |_| mark_edited(edited, field)
                />
                <p class="field-error" id=error_id aria-live="polite">{error}</p>
            </div>
        }
    };

    // The refusal of the last request, above the form or under the actions.
    let outcome = move |for_actions: bool| {
        let here = move || from_action.get() == for_actions;
        view! {
            <div
                class="form-alert"
                role="alert"
                id=if for_actions { "user-actions-alert" } else { "user-editor-alert" }
            >
                {move || here().then(alert).flatten().map(|message| view! { <p>{message}</p> })}
                {move || {
                    (here() && conflict())
                        .then(|| {
                            view! {
                                <button type="button" class="button button-secondary" on:click=move |_| reread(true)>
                                    {tr(|l| td_string!(l, users.load_latest))}
                                </button>
                            }
                        })
                }}
            </div>
        }
    };

    view! {
        <h2 class="modal-title" id="user-editor-title">{title}</h2>
        {outcome(false)}
        <form class="user-form" novalidate on:submit=on_submit>
            {if is_new {
                text_field("user-username", "username", |l| td_string!(l, users.username), "text", fields.username)
                    .into_any()
            } else {
                view! {
                    <p class="user-form-username">
                        {tr(|l| td_string!(l, users.username))}": "{fields.username.get_untracked()}
                    </p>
                }
                    .into_any()
            }}
            <div class="field-pair">
                {text_field("user-first-name", "first_name", |l| td_string!(l, users.first_name), "text", fields.first_name)}
                {text_field("user-last-name", "last_name", |l| td_string!(l, users.last_name), "text", fields.last_name)}
            </div>
            {text_field("user-email", "email", |l| td_string!(l, users.email), "email", fields.email)}
            <div class="field">
                <label for="user-role">{tr(|l| td_string!(l, users.role))}</label>
                <select
                    id="user-role"
                    on:change=move |ev| {
                        if let Ok(role) = event_target_value(&ev).parse::<Role>() {
                            fields.role.set(role);
                        }
                    }
                >
                    {roles
                        .into_iter()
                        .map(|role| {
                            view! {
                                <option value=role.as_str() selected=move || fields.role.get() == role>
                                    {move || role_label(locale.get(), role)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <fieldset
                class="facility-choice"
                hidden=move || fields.role.get() == Role::Administrator
                aria-describedby="user-facilities-error"
            >
                <legend>{tr(|l| td_string!(l, users.facilities))}</legend>
                {facility_boxes}
                <p class="field-error" id="user-facilities-error" aria-live="polite">
                    {field_error("facility_ids")}
                </p>
            </fieldset>
            {is_new
                .then(|| {
                    view! {
                        {text_field(
                            "user-password",
                            "password",
                            |l| td_string!(l, users.temporary_password),
                            "password",
                            fields.password,
                        )}
                        <p class="field-hint">{tr(|l| td_string!(l, users.invite_hint))}</p>
                    }
                })}
            <div class="modal-actions">
                <button type="button" class="button button-secondary" on:click=move |_| { let _ = close.try_run(()); }>
                    {tr(|l| td_string!(l, users.close))}
                </button>
                <button
                    type="submit"
                    class="button button-primary"
                    disabled=move || pending.get()
                    aria-busy=move || bool_attr(pending.get())
                >
                    {move || {
                        let l = locale.get();
                        if is_new { td_string!(l, users.create) } else { td_string!(l, users.save) }
                    }}
                </button>
            </div>
        </form>
        {(!is_new)
            .then(|| {
                let has_email = move || stored.with(|u| u.as_ref().is_some_and(|u| u.email.is_some() && u.sign_in_method == SignInMethod::Password));
                let password_here = move || stored.with(|u| u.as_ref().is_some_and(|u| u.sign_in_method == SignInMethod::Password));
                let active = move || stored.with(|u| u.as_ref().is_some_and(|u| u.status == AccountStatus::Active));
                view! {
                    <section class="user-actions" aria-labelledby="user-actions-title">
                        <h3 class="card-title" id="user-actions-title">{tr(|l| td_string!(l, users.actions))}</h3>
                        <div class="user-actions-row">
                            <button type="button" class="button button-secondary" disabled=move || pending.get() on:click=move |_| toggle_status()>
                                {move || {
                                    let l = locale.get();
                                    if active() { td_string!(l, users.deactivate) } else { td_string!(l, users.activate) }
                                }}
                            </button>
                            <button type="button" class="button button-secondary" disabled=move || pending.get()
                                on:click=move |_| act(UserAction::Unlock, |l| td_string!(l, users.unlocked))>
                                {tr(|l| td_string!(l, users.unlock))}
                            </button>
                            <button type="button" class="button button-secondary" disabled=move || pending.get()
                                on:click=move |_| act(UserAction::SignOutEverywhere, |l| td_string!(l, users.signed_out))>
                                {tr(|l| td_string!(l, users.sign_out_everywhere))}
                            </button>
                            <button type="button" class="button button-secondary" hidden=move || !has_email() disabled=move || pending.get()
                                on:click=move |_| act(UserAction::Invite, |l| td_string!(l, users.invitation_sent))>
                                {tr(|l| td_string!(l, users.invite_again))}
                            </button>
                        </div>
                        {outcome(true)}
                        <p class="form-status" role="status">{move || notice.get()}</p>
                        <form class="user-password" novalidate hidden=move || !password_here() on:submit=move |ev: SubmitEvent| {
                            ev.prevent_default();
                            act(UserAction::SetPassword, |l| td_string!(l, users.password_set));
                        }>
                            {text_field("user-set-password", "password", |l| td_string!(l, users.temporary_password), "password", fields.password)}
                            <button type="submit" class="button button-secondary" disabled=move || pending.get()>
                                {tr(|l| td_string!(l, users.set_password))}
                            </button>
                        </form>
                    </section>
                }
            })}
    }
}
