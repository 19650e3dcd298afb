-- A cancelled shared scan ends its ranges too: a range that was not done becomes 'cancelled' (no holder, never
-- claimed), so that the shards figure of a scan that is over shows none running or waiting. Ranges of scans
-- cancelled before this change are ended the same way here.
UPDATE scan_shards SET status = 'cancelled', lease_until = 0, last_holder = COALESCE(holder, last_holder), holder = NULL
WHERE status IN ('waiting', 'running') AND scan_id IN (SELECT id FROM scans WHERE status <> 'running');
