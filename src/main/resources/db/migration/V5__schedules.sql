-- Schedules: scans that run on a cron, diffed against their previous run, with webhook alerts on changes.
-- One script for PostgreSQL and for H2 in its PostgreSQL mode; times are epoch milliseconds (BIGINT).

CREATE TABLE schedules (
    id          VARCHAR(32)  NOT NULL PRIMARY KEY,
    name        VARCHAR(128) NOT NULL UNIQUE,
    cron        VARCHAR(256) NOT NULL,
    zone        VARCHAR(64)  NOT NULL,
    enabled     BOOLEAN      NOT NULL,
    -- the scan parameters as JSON, the same as a POST /api/scans body
    scan        VARCHAR      NOT NULL,
    webhook     VARCHAR(2048),
    created_at  BIGINT       NOT NULL,
    updated_at  BIGINT       NOT NULL,
    -- the next cron time to run, or NULL while disabled; a tick is claimed by moving it on with a conditional
    -- UPDATE (WHERE next_run = the tick claimed), so that of all replicas exactly one runs each tick
    next_run    BIGINT,
    -- the replica that holds the schedule: it keeps it while its row in replicas is renewed within the lease
    -- time (the same lease as the ownership of scans); after that any replica takes the schedule over
    owner       VARCHAR(128),
    -- the scan of the run in progress, so that a tick that comes while it runs is skipped, not stacked
    running_scan VARCHAR(32),
    skipped     BIGINT       NOT NULL DEFAULT 0
);

CREATE INDEX schedules_due ON schedules (enabled, next_run);

-- One row per run: the scan it started, its diff against the previous completed run of the schedule.
CREATE TABLE schedule_runs (
    schedule_id  VARCHAR(32)  NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    -- the cron time the run is for: a second claim of the same tick could not insert a second row
    tick         BIGINT       NOT NULL,
    scan_id      VARCHAR(32),
    replica      VARCHAR(128) NOT NULL,
    started_at   BIGINT       NOT NULL,
    -- running, then the scan's own final status, or failed (it could not start)
    status       VARCHAR(16)  NOT NULL,
    finished_at  BIGINT,
    base_scan_id VARCHAR(32),
    -- ports and hosts that changed since the base run (JSON), and how many; NULL when there was no base
    changes      VARCHAR,
    change_count INTEGER,
    message      VARCHAR,
    PRIMARY KEY (schedule_id, tick)
);

CREATE INDEX schedule_runs_scan ON schedule_runs (scan_id);

-- Webhook deliveries: at least once. A delivery's id is stable across its retries, so a receiver can drop
-- duplicates; its body is stored as sent, so every attempt carries the same bytes and signature.
CREATE TABLE alert_deliveries (
    id           VARCHAR(64)  NOT NULL PRIMARY KEY,
    schedule_id  VARCHAR(32)  NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    scan_id      VARCHAR(32)  NOT NULL,
    url          VARCHAR(2048) NOT NULL,
    body         VARCHAR      NOT NULL,
    -- pending, delivered, failed (out of attempts)
    status       VARCHAR(16)  NOT NULL,
    attempts     INTEGER      NOT NULL DEFAULT 0,
    -- when the next attempt is due; an attempt claims the delivery by moving it on (conditional UPDATE)
    next_attempt BIGINT       NOT NULL,
    last_error   VARCHAR,
    created_at   BIGINT       NOT NULL,
    delivered_at BIGINT,
    UNIQUE (schedule_id, scan_id)
);

CREATE INDEX alert_deliveries_due ON alert_deliveries (status, next_attempt);
