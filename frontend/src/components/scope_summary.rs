//! The short "where am I, as whom" summary at the top of the network and
//! facility views: the scope being looked at and the user's role.

use leptos::prelude::*;
use shared::Role;

#[component]
pub fn ScopeSummary(scope: String, role: Role) -> impl IntoView {
    view! {
        <dl class="scope-summary">
            <div class="scope-summary-item">
                <dt>"Scope"</dt>
                <dd>{scope}</dd>
            </div>
            <div class="scope-summary-item">
                <dt>"Role"</dt>
                <dd>{role.label()}</dd>
            </div>
        </dl>
    }
}
