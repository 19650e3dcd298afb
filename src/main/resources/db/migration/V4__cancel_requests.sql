-- A cancel sent to a replica that does not run the scan is a row of its own, not a flag on the scan's row:
-- the owner's writer holds that row's lock for the whole of each batch it stores, and a cancel that had to
-- wait for it took a second and more to be sent on a busy machine. Inserting here takes only a key-share
-- lock on the scan's row, which the writer's update does not block. The row is the truth; a notification
-- (on PostgreSQL) only wakes the owner up sooner.
CREATE TABLE scan_cancels (
    scan_id      VARCHAR(32) NOT NULL PRIMARY KEY REFERENCES scans (id) ON DELETE CASCADE,
    requested_at BIGINT      NOT NULL
);

ALTER TABLE scans DROP COLUMN cancel_requested;
