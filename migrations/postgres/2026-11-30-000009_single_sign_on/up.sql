-- Single sign-on: a tenant's OpenID Connect providers, the sign-ins on
-- their way through a provider (one row per start, spent once), and the
-- provider identity (issuer and subject) of the accounts that sign in
-- through one. The client secret and the PKCE verifier are sealed with the
-- deployment's secret key; the state is stored only as its hash.
CREATE TABLE sso_providers (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    display_name TEXT NOT NULL,
    status TEXT NOT NULL,
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    sealed_client_secret TEXT,
    extra_params TEXT NOT NULL DEFAULT '{}',
    scopes TEXT NOT NULL,
    role_management TEXT NOT NULL,
    role_claim TEXT,
    role_mapping TEXT NOT NULL DEFAULT '{}',
    default_role TEXT,
    group_claim TEXT,
    group_mapping TEXT NOT NULL DEFAULT '{}',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    modified_at TIMESTAMP NOT NULL
);
CREATE INDEX sso_providers_tenant ON sso_providers (tenant_id);

CREATE TABLE sso_login_states (
    state_hash TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    provider_id TEXT NOT NULL REFERENCES sso_providers (id) ON DELETE CASCADE,
    nonce TEXT NOT NULL,
    sealed_pkce_verifier TEXT NOT NULL,
    return_to TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX sso_login_states_expiry ON sso_login_states (expires_at);

ALTER TABLE users ADD COLUMN sso_issuer TEXT;
ALTER TABLE users ADD COLUMN sso_subject TEXT;
CREATE UNIQUE INDEX users_sso_identity ON users (tenant_id, sso_issuer, sso_subject);
