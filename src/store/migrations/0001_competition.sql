-- The online competition: every piece of state is a row here (nothing lives only in a process).
-- Written for both SQLite and PostgreSQL: times are Unix milliseconds (BIGINT).
CREATE TABLE codes (
    candidate TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    issued BIGINT NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    who TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created BIGINT NOT NULL
);
CREATE TABLE signin_failures (
    client TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX signin_failures_client ON signin_failures (client, at);
CREATE TABLE round_overrides (
    round TEXT PRIMARY KEY,
    opens BIGINT,
    closes BIGINT
);
CREATE TABLE extensions (
    candidate TEXT NOT NULL,
    round TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    PRIMARY KEY (candidate, round)
);
CREATE TABLE attempts (
    candidate TEXT NOT NULL,
    round TEXT NOT NULL,
    n BIGINT NOT NULL,
    started BIGINT NOT NULL,
    deadline BIGINT NOT NULL,
    items BIGINT NOT NULL,
    paper TEXT NOT NULL,
    submitted BIGINT,
    score DOUBLE PRECISION,
    max_points DOUBLE PRECISION,
    marks TEXT,
    voided TEXT,
    PRIMARY KEY (candidate, round, n)
);
CREATE TABLE answers (
    candidate TEXT NOT NULL,
    round TEXT NOT NULL,
    n BIGINT NOT NULL,
    item BIGINT NOT NULL,
    response TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (candidate, round, n, item)
);
CREATE TABLE audit_log (
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
