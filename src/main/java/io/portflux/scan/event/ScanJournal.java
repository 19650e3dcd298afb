package io.portflux.scan.event;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * ScanJournal keeps the events of one scan in id order and lets any number of followers replay
 * them and then follow live.
 *
 * <p>Followers read the journal by cursor, at their own pace and only as much as they request, so
 * a slow follower costs no memory beyond its cursor and never holds up the scan or other followers.
 * Memory stays bounded: {@code started}, every {@code port} event and {@code done} are kept; past
 * {@code maxProgress} progress events, the older progress events are dropped.
 */
public final class ScanJournal {

    private final int maxProgress;
    private final List<ScanEvent> events = new ArrayList<>();
    private final Set<Follower> followers = new CopyOnWriteArraySet<>();
    private int progressKept;
    private boolean closed;

    public ScanJournal(int maxProgress) {
        if (maxProgress < 1) {
            throw new IllegalArgumentException("maxProgress must be >= 1");
        }
        this.maxProgress = maxProgress;
    }

    /** Appends the next event; ids must rise. The journal closes after a {@code done} event. */
    public void append(ScanEvent event) {
        synchronized (events) {
            if (closed) {
                throw new IllegalStateException("journal is closed");
            }
            if (!events.isEmpty() && events.get(events.size() - 1).id() >= event.id()) {
                throw new IllegalArgumentException("event ids must rise: " + event.id());
            }
            events.add(event);
            if (event.data() instanceof EventData.Progress && ++progressKept > maxProgress) {
                thinProgress();
            }
            closed = event.data() instanceof EventData.Done;
        }
        followers.forEach(Follower::drain);
    }

    /** Whether the terminal event has been appended. */
    public boolean isClosed() {
        synchronized (events) {
            return closed;
        }
    }

    /** Number of events held now (for tests and metrics). */
    public int size() {
        synchronized (events) {
            return events.size();
        }
    }

    /** The events held now, in id order. */
    public List<ScanEvent> snapshot() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /**
     * Streams the events whose id is above {@code afterId}: the kept ones first, then live ones as
     * they are appended. Completes after {@code done}, which is sent even when {@code afterId} is at
     * or past it.
     */
    public Flux<ScanEvent> follow(long afterId) {
        return Flux.create(sink -> {
            Follower follower = new Follower(sink, afterId);
            followers.add(follower);
            sink.onRequest(n -> follower.drain());
            sink.onDispose(() -> followers.remove(follower));
            follower.drain();
        }, FluxSink.OverflowStrategy.ERROR);
    }

    /** Followers attached now (for tests and metrics). */
    public int followers() {
        return followers.size();
    }

    // Keeps the newest half of the progress events; older ones add nothing for a replaying client.
    private void thinProgress() {
        int drop = progressKept - maxProgress / 2;
        List<ScanEvent> kept = new ArrayList<>(events.size() - drop);
        for (ScanEvent e : events) {
            if (drop > 0 && e.data() instanceof EventData.Progress) {
                drop--;
                continue;
            }
            kept.add(e);
        }
        progressKept = maxProgress / 2;
        events.clear();
        events.addAll(kept);
    }

    /** The {@code done} event once appended, else null. */
    private ScanEvent terminal() {
        synchronized (events) {
            return closed ? events.get(events.size() - 1) : null;
        }
    }

    /** The next kept event after {@code id}, or null. */
    private ScanEvent after(long id) {
        synchronized (events) {
            int lo = 0;
            int hi = events.size();
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (events.get(mid).id() <= id) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo < events.size() ? events.get(lo) : null;
        }
    }

    /** One reader's cursor; drain() is serialised per follower with a work-in-progress counter. */
    private final class Follower {
        private final FluxSink<ScanEvent> sink;
        private final AtomicLong lastId;
        private final AtomicInteger wip = new AtomicInteger();

        Follower(FluxSink<ScanEvent> sink, long afterId) {
            this.sink = sink;
            this.lastId = new AtomicLong(afterId);
        }

        void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            do {
                while (sink.requestedFromDownstream() > 0 && !sink.isCancelled()) {
                    ScanEvent next = after(lastId.get());
                    if (next == null) {
                        ScanEvent terminal = terminal();
                        if (terminal != null) {
                            // Resumed at or past the terminal event: send it again, so that every
                            // stream ends on one and the client knows the scan is over.
                            sink.next(terminal);
                            sink.complete();
                            followers.remove(this);
                            return;
                        }
                        break;
                    }
                    lastId.set(next.id());
                    sink.next(next);
                    if (next.data() instanceof EventData.Done) {
                        sink.complete();
                        followers.remove(this);
                        return;
                    }
                }
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        }
    }
}
