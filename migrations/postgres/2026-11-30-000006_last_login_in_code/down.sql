CREATE OR REPLACE FUNCTION sessions_last_login() RETURNS trigger AS $$
BEGIN
    UPDATE users SET previous_login_at = last_login_at, last_login_at = NEW.created_at
    WHERE tenant_id = NEW.tenant_id AND id = NEW.user_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sessions_last_login AFTER INSERT ON sessions
    FOR EACH ROW EXECUTE FUNCTION sessions_last_login();
