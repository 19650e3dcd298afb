package io.portflux.store;

import io.portflux.scan.ScanRequest;
import io.portflux.scan.event.EventData;
import io.portflux.scan.shard.Checkpoint;
import io.portflux.scan.shard.IndexRange;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * ShardStore keeps the ranges of the scans that several replicas share ("distributed" scans): their rows, the
 * claims and leases on them, their watermarks, and the one journal that every replica appends to.
 *
 * <p><b>Event ids.</b> A distributed scan's events are numbered by its row: every transaction that appends
 * events to it locks the scan's row, takes the next ids from {@code last_seq} and commits. Two replicas' batches
 * are thus serialised on that row, and ids become visible in commit order: a watcher that has read up to id n
 * never misses an event with a smaller id that commits later (which ids from a sequence, or one id space per
 * range, would allow). The lock is taken last in each transaction and held only for its last statements.
 *
 * <p><b>Exact counts.</b> A range's row holds the counts of the verdicts below its watermark; the scan's row holds
 * their sum, updated in the same transaction as the watermark, so a range taken over from its watermark is
 * counted from there on and no verdict twice. Port results are keyed by address and port and a replayed one is
 * dropped, with its event: an address probed again after a takeover appears once in the results and the stream.
 *
 * <p>Distribution needs PostgreSQL ({@link #available()}); the embedded store runs every scan alone.
 */
public interface ShardStore {

    /**
     * Where a range stands in its row. A range that was not done when its scan was cancelled is {@code
     * CANCELLED}: no replica holds it or will claim it.
     */
    enum Status {
        WAITING, RUNNING, DONE, CANCELLED;

        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What a write of a range's checkpoint found. */
    enum Outcome {
        /** Stored. */
        WRITTEN,
        /** The range is no longer this holder's (its lease ran out and another replica took it): nothing stored. */
        LOST,
        /** The scan has ended (cancelled, or finished by the other ranges): nothing stored. */
        ENDED
    }

    /** How a write ends the holder's work on the range. */
    enum End {
        /** The holder goes on. */
        NONE,
        /** Every position of the range has its verdict: the range is done. */
        FINISHED,
        /** The holder stops (shutdown, a fault): the range waits for another holder, from its watermark. */
        HANDED_BACK
    }

    /**
     * A range this replica has just claimed: its bounds, its watermark and the counts below it, the epoch of
     * this claim, the scan's plan, and who held it before.
     */
    record Claim(String scanId, int index, IndexRange range, Checkpoint stored, long epoch, String plan,
            @Nullable String previous, String action) {
        public Claim {
            Objects.requireNonNull(scanId, "scanId");
            Objects.requireNonNull(range, "range");
            Objects.requireNonNull(stored, "stored");
            Objects.requireNonNull(plan, "plan");
            Objects.requireNonNull(action, "action");
        }

        /** Whether another replica held the range before and its lease ran out. */
        public boolean takenOver() {
            return EventData.Shard.TAKEN_OVER.equals(action);
        }
    }

    /**
     * One write of a held range: its new checkpoint (absolute: the claim's stored counts plus this holder's),
     * the checkpoint last written (for the scan's sums), the {@code port} and {@code service} events delivered
     * since, and whether this ends the holder's work on it.
     */
    record Batch(String scanId, int index, long epoch, IndexRange range, Checkpoint checkpoint, Checkpoint written,
            List<EventData> events, End end) {
        public Batch {
            Objects.requireNonNull(scanId, "scanId");
            Objects.requireNonNull(checkpoint, "checkpoint");
            Objects.requireNonNull(written, "written");
            events = List.copyOf(events);
            Objects.requireNonNull(end, "end");
        }
    }

    /** A range this replica holds, for lease renewals. */
    record Held(String scanId, int index, long epoch) {}

    /** Whether scans can be distributed: a shared PostgreSQL, not the embedded store. */
    boolean available();

    /**
     * Writes a distributed scan that starts now, owned by this replica: its row with its plan, its ranges as
     * waiting rows, and {@code started} as event 1; wakes the replicas up.
     */
    Mono<Void> create(String id, ScanRequest request, Instant createdAt, String plan, List<IndexRange> ranges,
            EventData.Started started);

    /**
     * Claims one range for this replica, for {@code lease}: a waiting one, or a running one whose lease ran out
     * before {@code now}, of the oldest running scan first, skipping rows another replica is claiming; appends a
     * {@code shard} event saying so. Empty when there is none.
     */
    Mono<Claim> claim(Instant now, Duration lease);

    /**
     * Claims, as {@link #claim}, only a range that another replica held before: one handed back, or one whose
     * holder's lease ran out before {@code now}. Empty when there is none.
     */
    Mono<Claim> claimLeftOver(Instant now, Duration lease);

    /**
     * Writes a held range's checkpoint, its new results and events, and extends its lease; appends a
     * {@code progress} event when none was appended in the last {@code progressInterval}, and the scan's
     * {@code done} once its last range is done.
     */
    Mono<Outcome> write(Batch batch, Instant now, Duration lease, Duration progressInterval);

    /**
     * The open ports that range {@code index} of scan {@code id} stored with no detection result yet: for a holder
     * that took the range from another, the ports whose detection died with that holder (or is still to come from
     * a port probed again above the watermark, which keeps its first result either way).
     */
    Flux<EventData.Port> undetected(String scanId, int index);

    /** Extends the leases of {@code held} to {@code now + lease}; emits how many were extended. */
    Mono<Long> renew(List<Held> held, Instant now, Duration lease);

    /**
     * Ends distributed scan {@code id} as cancelled with {@code message}, if it runs: its ranges that are not done
     * become cancelled (none running or waiting any more), and a last {@code progress} (with that {@code shards}
     * figure) and its {@code done} are appended; tells every replica to stop its ranges. Emits whether it was
     * running.
     */
    Mono<Boolean> cancel(String id, String message, Instant now);

    /** How many replicas renewed their lease at {@code cutoff} or later. */
    Mono<Integer> liveReplicas(Instant cutoff);

    /** Where the ranges of distributed scan {@code id} stand; empty for a scan that is not distributed. */
    Mono<EventData.ShardCounts> summary(String id);
}
