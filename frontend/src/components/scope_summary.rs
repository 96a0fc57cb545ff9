//! The short "where am I, as whom" summary at the top of the network and
//! facility views: the scope being looked at and the user's role.

use crate::i18n::{role_label, td_string, tr, use_locale};
use leptos::prelude::*;
use shared::Role;

#[component]
pub fn ScopeSummary(scope: String, role: Role) -> impl IntoView {
    let locale = use_locale();
    view! {
        <dl class="scope-summary">
            <div class="scope-summary-item">
                <dt>{tr(|l| td_string!(l, shell.scope))}</dt>
                <dd>{scope}</dd>
            </div>
            <div class="scope-summary-item">
                <dt>{tr(|l| td_string!(l, shell.role))}</dt>
                <dd>{move || role_label(locale.get(), role)}</dd>
            </div>
        </dl>
    }
}
