-- shard_idx: for a shared scan, the range whose holder stored the result (NULL for a scan one replica runs). An open
-- port whose detection was under way when its holder died is stored without a method; the replica that takes the
-- range over finds it by this column and detects it, so that the scan's done carries a detected service for every
-- open port.
ALTER TABLE port_results ADD COLUMN shard_idx INTEGER;
