-- A cancel that reaches a replica other than the scan's owner is written here; the owner polls for it.
ALTER TABLE scans ADD COLUMN cancel_requested BOOLEAN NOT NULL DEFAULT FALSE;
