//! Pieces of the screens that more than one page uses.

pub mod change_password_dialog;
pub mod facility_switcher;
pub mod form;
pub mod header;
pub mod loading;
pub mod modal;
pub mod page_title;
pub mod password_rules;
pub mod profile_form;
pub mod profile_menu;
pub mod replace_route;
pub mod result_card;
pub mod scope_summary;
pub mod sessions_list;
pub mod signed_in_shell;
pub mod user_editor;
