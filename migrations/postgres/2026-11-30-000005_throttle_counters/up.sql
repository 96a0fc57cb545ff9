-- Failure counters become one atomic upsert per key, and the wait is
-- computed from the count and the last failure instead of being stored.
-- Each counter names the account it concerns (none for an address alone),
-- so an operator can lift every wait on an account at once. The counters
-- are short-lived: the old ones are dropped, not converted.
DROP TABLE login_throttles;
CREATE TABLE login_throttles (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    throttle_key TEXT NOT NULL,
    username TEXT,
    failures INTEGER NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, throttle_key)
);
CREATE INDEX login_throttles_account ON login_throttles (tenant_id, username);
