-- The store of background scans. One script for PostgreSQL and for H2 in its PostgreSQL mode.
-- Times are epoch milliseconds (BIGINT), so both databases and both drivers read them the same way.

CREATE TABLE scans (
    id             VARCHAR(32)  NOT NULL PRIMARY KEY,
    request        VARCHAR      NOT NULL,
    -- the targets as the client wrote them, for the list's target filter
    target_spec    VARCHAR(4096),
    status         VARCHAR(16)  NOT NULL,
    targets        VARCHAR,
    total          BIGINT       NOT NULL DEFAULT 0,
    scanned        BIGINT       NOT NULL DEFAULT 0,
    open_count     BIGINT       NOT NULL DEFAULT 0,
    closed_count   BIGINT       NOT NULL DEFAULT 0,
    filtered_count BIGINT       NOT NULL DEFAULT 0,
    error_count    BIGINT       NOT NULL DEFAULT 0,
    rate           DOUBLE PRECISION,
    elapsed_ms     BIGINT,
    eta_ms         BIGINT,
    message        VARCHAR,
    created_at     BIGINT       NOT NULL,
    finished_at    BIGINT,
    -- the replica that runs (or ran) the scan
    owner          VARCHAR(128) NOT NULL,
    -- the id of the newest stored event, so that an appended terminal event gets the next one
    last_seq       BIGINT       NOT NULL DEFAULT 0
);

CREATE INDEX scans_created ON scans (created_at DESC, id);
CREATE INDEX scans_status ON scans (status, owner);

-- The journal: seq is the SSE id, so a repeated write of the same event is one row, never two.
CREATE TABLE scan_events (
    scan_id VARCHAR(32) NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    seq     BIGINT      NOT NULL,
    name    VARCHAR(16) NOT NULL,
    data    VARCHAR     NOT NULL,
    PRIMARY KEY (scan_id, seq)
);

-- One row per port verdict that the scan reported; a resumed or repeated write never doubles one.
CREATE TABLE port_results (
    scan_id VARCHAR(32)  NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    ip      VARCHAR(64)  NOT NULL,
    port    INTEGER      NOT NULL,
    host    VARCHAR(255),
    state   VARCHAR(16)  NOT NULL,
    reason  VARCHAR(32)  NOT NULL,
    service VARCHAR(64),
    rtt_ms  DOUBLE PRECISION,
    PRIMARY KEY (scan_id, ip, port)
);
