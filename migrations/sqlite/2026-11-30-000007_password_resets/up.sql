-- Password reset by email. A request waits in password_reset_requests
-- until the background worker looks the account up, so answering it does
-- the same work whether the account exists or not. The worker writes the
-- token and its mail (to the outbox) in one transaction; the outbox is
-- delivered with retries, once, by whichever replica claims each row.
CREATE TABLE password_reset_requests (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    client_address TEXT,
    requested_at TIMESTAMP NOT NULL
);
CREATE INDEX password_reset_requests_age ON password_reset_requests (requested_at);

-- Only the SHA-256 of a token is stored. A token is spent (used_at),
-- replaced by a newer one or a password change (replaced_at), or expires.
CREATE TABLE password_reset_tokens (
    token_hash TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    replaced_at TIMESTAMP
);
CREATE INDEX password_reset_tokens_user ON password_reset_tokens (tenant_id, user_id);

-- Mail waiting to leave. The message is sealed with the deployment's
-- secret key (it may hold a reset link) and erased once sent.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    sealed_message TEXT,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_by TEXT,
    claimed_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL;
