-- Back to rowid tables, in the same way as up.sql (renamed aside, filled,
-- the old one dropped once nothing refers to it).

ALTER TABLE sessions RENAME TO sessions_old;
DROP TRIGGER sessions_last_login;
DROP INDEX sessions_user;
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    user_agent TEXT,
    client_address TEXT,
    revoked_at TIMESTAMP,
    revoked_reason TEXT
);
INSERT INTO sessions (id, tenant_id, user_id, created_at, last_seen_at, expires_at,
                      user_agent, client_address, revoked_at, revoked_reason)
    SELECT id, tenant_id, user_id, created_at, last_seen_at, expires_at,
           user_agent, client_address, revoked_at, revoked_reason
    FROM sessions_old;
CREATE INDEX sessions_user ON sessions (tenant_id, user_id);
CREATE TRIGGER sessions_last_login AFTER INSERT ON sessions
BEGIN
    UPDATE users SET previous_login_at = last_login_at, last_login_at = NEW.created_at
    WHERE tenant_id = NEW.tenant_id AND id = NEW.user_id;
END;

ALTER TABLE refresh_tokens RENAME TO refresh_tokens_old;
DROP INDEX refresh_tokens_session;
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
INSERT INTO refresh_tokens (token_hash, tenant_id, session_id, created_at, expires_at, used_at)
    SELECT token_hash, tenant_id, session_id, created_at, expires_at, used_at
    FROM refresh_tokens_old;
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
DROP TABLE refresh_tokens_old;
DROP TABLE sessions_old;

ALTER TABLE audit_events RENAME TO audit_events_old;
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    occurred_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    user_id TEXT,
    username TEXT,
    client_address TEXT,
    detail TEXT
);
INSERT INTO audit_events (id, tenant_id, occurred_at, kind, user_id, username, client_address, detail)
    SELECT id, tenant_id, occurred_at, kind, user_id, username, client_address, detail
    FROM audit_events_old;
CREATE INDEX audit_events_time ON audit_events (tenant_id, occurred_at);
DROP TABLE audit_events_old;
