-- An invitation is a reset token with a longer life: the invited account
-- chooses its first password through the same page and the same checks.
ALTER TABLE password_reset_tokens ADD COLUMN purpose TEXT NOT NULL DEFAULT 'reset';
