-- A sign-in is a new session: the account's last sign-in follows from the
-- insert, inside the statement that opens the session, so the sign-in's
-- write transaction has one statement less (BENCHMARKS.md).
CREATE TRIGGER sessions_last_login AFTER INSERT ON sessions
BEGIN
    UPDATE users SET last_login_at = NEW.created_at
    WHERE tenant_id = NEW.tenant_id AND id = NEW.user_id;
END;
