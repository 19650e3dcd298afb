-- declared: the schedule was written from portflux.schedules.declared (the Helm chart's values). A start that no
-- longer declares it deletes it, so that a schedule removed from the values does not run on.
ALTER TABLE schedules ADD COLUMN declared BOOLEAN NOT NULL DEFAULT FALSE;
