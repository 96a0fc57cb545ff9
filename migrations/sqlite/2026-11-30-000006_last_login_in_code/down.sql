CREATE TRIGGER sessions_last_login AFTER INSERT ON sessions
BEGIN
    UPDATE users SET previous_login_at = last_login_at, last_login_at = NEW.created_at
    WHERE tenant_id = NEW.tenant_id AND id = NEW.user_id;
END;
