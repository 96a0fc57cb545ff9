DROP TRIGGER sessions_last_login;
