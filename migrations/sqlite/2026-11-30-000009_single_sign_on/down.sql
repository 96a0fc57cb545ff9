DROP INDEX users_sso_identity;
ALTER TABLE users DROP COLUMN sso_subject;
ALTER TABLE users DROP COLUMN sso_issuer;
DROP TABLE sso_login_states;
DROP TABLE sso_providers;
