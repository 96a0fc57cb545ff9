-- The account page shows the sign-in before the current one (the current
-- one is "now", which tells the user nothing; the one before tells them
-- whether someone else got in). Opening a session moves the last sign-in
-- to the previous one.
ALTER TABLE users ADD COLUMN previous_login_at TIMESTAMP;

DROP TRIGGER sessions_last_login;
CREATE TRIGGER sessions_last_login AFTER INSERT ON sessions
BEGIN
    UPDATE users SET previous_login_at = last_login_at, last_login_at = NEW.created_at
    WHERE tenant_id = NEW.tenant_id AND id = NEW.user_id;
END;
