CREATE OR REPLACE FUNCTION sessions_last_login() RETURNS trigger AS $$
BEGIN
    UPDATE users SET last_login_at = NEW.created_at
    WHERE tenant_id = NEW.tenant_id AND id = NEW.user_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

ALTER TABLE users DROP COLUMN previous_login_at;
