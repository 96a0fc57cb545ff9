DROP TRIGGER sessions_last_login ON sessions;
DROP FUNCTION sessions_last_login();
