-- Leases: every replica renews its row while it runs; the scans of a replica whose row has not been
-- renewed within the lease time are marked interrupted by whichever replica notices first.
CREATE TABLE replicas (
    id      VARCHAR(128) NOT NULL PRIMARY KEY,
    seen_at BIGINT       NOT NULL
);

-- A cancel sent to a replica that does not run the scan: the row is the truth, a notification (on
-- PostgreSQL) only wakes the owner up sooner.
ALTER TABLE scans ADD COLUMN cancel_requested BOOLEAN NOT NULL DEFAULT FALSE;
