-- What every worker process needs: jobs (their state, progress, result file and the
-- heartbeat of the process that runs them), drafts (with the one kept to undo) and the
-- training day's participants' list of each trainer.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,                  -- random, in the job's URL
    owner TEXT NOT NULL,                  -- the session or account that started it
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('wachten', 'bezig', 'klaar', 'mislukt')),
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    problems TEXT NOT NULL DEFAULT '[]',  -- JSON: the problems' lines
    result TEXT,                          -- JSON: a report's lines, or a file's name and size
    result_path TEXT,                     -- the result file on disk
    pid INTEGER NOT NULL,                 -- the process that runs it
    heartbeat REAL NOT NULL,              -- when that process last said it still runs it
    started REAL NOT NULL,
    ended REAL
);
CREATE INDEX jobs_owner ON jobs (owner, kind, started);

CREATE TABLE drafts (
    owner TEXT PRIMARY KEY,
    data TEXT NOT NULL,                   -- JSON: the draft
    undo TEXT,                            -- JSON: the draft kept to undo, and why
    changed REAL NOT NULL
);


CREATE TABLE day_lists (
    owner TEXT PRIMARY KEY,
    text TEXT NOT NULL,                   -- the training day's participants' list, as CSV
    changed REAL NOT NULL                 -- erased after the retention period from this
);

CREATE TABLE render_claims (
    ticket TEXT PRIMARY KEY,              -- one render waiting or running
    owner TEXT NOT NULL,                  -- whose (a trainer has at most a few at once)
    pid INTEGER NOT NULL,                 -- the worker process it waits in (a dead one's
    at REAL NOT NULL                      -- claims count for nothing)
);
CREATE INDEX render_claims_owner ON render_claims (owner);
