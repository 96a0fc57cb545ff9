DROP TABLE outbox;
DROP TABLE password_reset_tokens;
DROP TABLE password_reset_requests;
