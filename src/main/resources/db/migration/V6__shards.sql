-- One scan, many replicas. A distributed scan's probe space (its seeded permutation of hosts x ports) is cut
-- into contiguous ranges of positions, one row each; replicas claim them (SELECT ... FOR UPDATE SKIP LOCKED on
-- PostgreSQL) under a lease that the holder renews, and record a watermark as they go: every position below it
-- has its verdict, counted in the row and its results stored. When a lease runs out, another replica takes the
-- range from its watermark. Distribution needs PostgreSQL; on H2 (one replica) these stay empty.

-- distributed: the scan's ranges are rows in scan_shards and any replica works on them, so its owner's death
-- does not interrupt it. plan: the resolved plan every replica runs (addresses, ports, order, seed), so that no
-- replica resolves a name again. progress_at: when the last progress event was appended, so that the replicas
-- together append at most one per progress interval.
ALTER TABLE scans ADD COLUMN distributed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE scans ADD COLUMN plan VARCHAR;
ALTER TABLE scans ADD COLUMN progress_at BIGINT NOT NULL DEFAULT 0;

-- status: waiting (no holder), running (holder, until lease_until), done. epoch counts the claims, so that a
-- holder whose range was taken over (or handed back and claimed again) can never write to it again.
CREATE TABLE scan_shards (
    scan_id        VARCHAR(32)  NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    idx            INTEGER      NOT NULL,
    range_from     BIGINT       NOT NULL,
    range_to       BIGINT       NOT NULL,
    watermark      BIGINT       NOT NULL,
    open_count     BIGINT       NOT NULL DEFAULT 0,
    closed_count   BIGINT       NOT NULL DEFAULT 0,
    filtered_count BIGINT       NOT NULL DEFAULT 0,
    error_count    BIGINT       NOT NULL DEFAULT 0,
    status         VARCHAR(16)  NOT NULL,
    holder         VARCHAR(128),
    last_holder    VARCHAR(128),
    epoch          BIGINT       NOT NULL DEFAULT 0,
    lease_until    BIGINT       NOT NULL DEFAULT 0,
    PRIMARY KEY (scan_id, idx)
);

CREATE INDEX scan_shards_claim ON scan_shards (status, lease_until);
