-- The account's last and previous sign-in are set by the sign-in itself,
-- in its transaction, instead of by a trigger on the session insert: the
-- trigger saved under 1 % of a core (docs/decisions/0008), too little to
-- hide a write where nobody reading the code would look for it.
DROP TRIGGER sessions_last_login;
