//! The tables, as diesel sees them. Kept by hand in step with both migration
//! folders (`migrations/sqlite`, `migrations/postgres`), which hold the same
//! columns.

diesel::table! {
    tenants (id) {
        id -> Text,
        slug -> Text,
        display_name -> Text,
        password_min_length -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    facilities (id) {
        id -> Text,
        tenant_id -> Text,
        code -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        tenant_id -> Text,
        username -> Text,
        first_name -> Text,
        last_name -> Text,
        email -> Nullable<Text>,
        locale -> Text,
        status -> Text,
        sign_in_method -> Text,
        role -> Text,
        password_hash -> Nullable<Text>,
        must_change_password -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        modified_at -> Timestamp,
        last_login_at -> Nullable<Timestamp>,
        previous_login_at -> Nullable<Timestamp>,
        sso_issuer -> Nullable<Text>,
        sso_subject -> Nullable<Text>,
    }
}

diesel::table! {
    user_facilities (user_id, facility_id) {
        tenant_id -> Text,
        user_id -> Text,
        facility_id -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        tenant_id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        user_agent -> Nullable<Text>,
        client_address -> Nullable<Text>,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        tenant_id -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_throttles (tenant_id, throttle_key) {
        tenant_id -> Text,
        throttle_key -> Text,
        username -> Nullable<Text>,
        failures -> Integer,
        window_started_at -> Timestamp,
        last_failure_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (tenant_id, occurred_at, id) {
        id -> Text,
        tenant_id -> Text,
        occurred_at -> Timestamp,
        kind -> Text,
        user_id -> Nullable<Text>,
        username -> Nullable<Text>,
        client_address -> Nullable<Text>,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        algorithm -> Text,
        private_key -> Text,
        public_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    password_reset_requests (id) {
        id -> Text,
        tenant_id -> Text,
        username -> Text,
        client_address -> Nullable<Text>,
        requested_at -> Timestamp,
    }
}

diesel::table! {
    password_reset_tokens (token_hash) {
        token_hash -> Text,
        tenant_id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        replaced_at -> Nullable<Timestamp>,
        purpose -> Text,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        tenant_id -> Text,
        kind -> Text,
        sealed_message -> Nullable<Text>,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    sso_providers (id) {
        id -> Text,
        tenant_id -> Text,
        display_name -> Text,
        status -> Text,
        issuer -> Text,
        client_id -> Text,
        sealed_client_secret -> Nullable<Text>,
        extra_params -> Text,
        scopes -> Text,
        role_management -> Text,
        role_claim -> Nullable<Text>,
        role_mapping -> Text,
        default_role -> Nullable<Text>,
        group_claim -> Nullable<Text>,
        group_mapping -> Text,
        version -> Integer,
        created_at -> Timestamp,
        modified_at -> Timestamp,
    }
}

diesel::table! {
    sso_login_states (state_hash) {
        state_hash -> Text,
        tenant_id -> Text,
        provider_id -> Text,
        nonce -> Text,
        sealed_pkce_verifier -> Text,
        return_to -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(facilities -> tenants (tenant_id));
diesel::joinable!(users -> tenants (tenant_id));
diesel::joinable!(user_facilities -> users (user_id));
diesel::joinable!(user_facilities -> facilities (facility_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(
    tenants,
    facilities,
    users,
    user_facilities,
    sessions,
    refresh_tokens,
    login_throttles,
    audit_events,
    signing_keys,
    password_reset_requests,
    password_reset_tokens,
    outbox,
    sso_providers,
    sso_login_states,
);
