-- Service detection: what a port's service event found (the service column then holds the detected
-- protocol instead of the port table's name), and whether it was probed or only the table's guess.
ALTER TABLE port_results ADD COLUMN product VARCHAR(128);
ALTER TABLE port_results ADD COLUMN version VARCHAR(128);
ALTER TABLE port_results ADD COLUMN method VARCHAR(16);
