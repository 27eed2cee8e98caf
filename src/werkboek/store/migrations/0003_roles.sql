-- Each account's space: the key its drafts, jobs, mailings and own recipes are kept under.
-- Random for a new account, so an account made after one was removed never finds that
-- one's data (a row id can come back; a space never does). Existing accounts keep the key
-- they had (account-<id>), so nothing of theirs is lost.
ALTER TABLE accounts ADD COLUMN space TEXT;
UPDATE accounts SET space = printf('account-%010d', id);
CREATE UNIQUE INDEX accounts_space ON accounts (space);
