-- Sessions of the single-token mode: bound to the token they logged in with, ended on logout.
CREATE TABLE token_sessions (
    token_hash TEXT PRIMARY KEY,          -- sha256 of the cookie's session token
    token_fingerprint TEXT NOT NULL,      -- sha256 of the server's access token at login
    created REAL NOT NULL,
    last_seen REAL NOT NULL
);
