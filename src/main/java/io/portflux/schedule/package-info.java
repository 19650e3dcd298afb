/**
 * Schedules: scans that run on a cron expression in a time zone, exactly once per tick across the replicas
 * (a conditional UPDATE of the schedule's next run, by the replica that holds its lease), each run diffed
 * against the schedule's previous completed run, and the changes sent to a webhook at least once.
 */
@NullMarked
package io.portflux.schedule;

import org.jspecify.annotations.NullMarked;
