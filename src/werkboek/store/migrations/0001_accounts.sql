-- Accounts, their sessions and API tokens, and failed logins (for the rate limit).
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,            -- the login name, lower case
    role TEXT NOT NULL CHECK (role IN ('trainer', 'beheerder')),
    password_hash TEXT,                   -- argon2id; NULL for an account of the single sign-on
    created REAL NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,          -- sha256 of the cookie's token, never the token
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created REAL NOT NULL,
    last_seen REAL NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,                  -- random, shown on the account page
    token_hash TEXT NOT NULL UNIQUE,      -- sha256 of the token, which is shown once
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    created REAL NOT NULL,
    last_used REAL
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

CREATE TABLE login_failures (
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX login_failures_name ON login_failures (name, at);
CREATE INDEX login_failures_address ON login_failures (address, at);
