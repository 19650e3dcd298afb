package io.portflux.scan.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class ScanJournalTests {

    private static ScanEvent started(long id) {
        return new ScanEvent(id, new EventData.Started("s", List.of(), 1, 1, 1, 1, 0, null, "open", "random", 1,
                Instant.EPOCH));
    }

    private static ScanEvent port(long id) {
        return new ScanEvent(id, new EventData.Port("h", "127.0.0.1", (int) id, "open", "conn-accept", null, 0.1));
    }

    private static ScanEvent progress(long id) {
        return new ScanEvent(id, new EventData.Progress(id, 100, 0, 0, 0, 0, 1, 1, 1, 1L));
    }

    private static ScanEvent done(long id) {
        return new ScanEvent(id, new EventData.Done("completed", 1, 1, 1, 0, 0, 0, 1, List.of(), null));
    }

    private static List<Long> ids(List<ScanEvent> events) {
        return events.stream().map(ScanEvent::id).toList();
    }

    @Test
    void aFollowerReplaysThenFollowsLiveAndEndsAfterDone() {
        ScanJournal journal = new ScanJournal(100);
        journal.append(started(1));
        journal.append(port(2));
        StepVerifier.create(journal.follow(0))
                .expectNextMatches(e -> e.id() == 1)
                .expectNextMatches(e -> e.id() == 2)
                .then(() -> journal.append(progress(3)))
                .expectNextMatches(e -> e.id() == 3)
                .then(() -> journal.append(done(4)))
                .expectNextMatches(e -> e.id() == 4)
                .verifyComplete();
        assertThat(journal.followers()).isZero();
    }

    @Test
    void aLateFollowerGetsTheSameSequenceAsAnEarlyOne() {
        ScanJournal journal = new ScanJournal(100);
        journal.append(started(1));
        var early = journal.follow(0).collectList().toFuture();
        for (long id = 2; id < 50; id++) {
            journal.append(id % 3 == 0 ? progress(id) : port(id));
        }
        journal.append(done(50));
        List<ScanEvent> late = journal.follow(0).collectList().block(Duration.ofSeconds(5));
        assertThat(early.join()).isEqualTo(late);
        assertThat(ids(late)).hasSize(50).isSorted();
    }

    @Test
    void resumingAfterAnIdSendsOnlyLaterEventsWithNoGapAndNoDuplicate() {
        ScanJournal journal = new ScanJournal(100);
        for (long id = 1; id <= 10; id++) {
            journal.append(id == 1 ? started(id) : port(id));
        }
        journal.append(done(11));
        assertThat(ids(journal.follow(7).collectList().block())).containsExactly(8L, 9L, 10L, 11L);
    }

    @Test
    void resumingAtOrPastTheEndOfAFinishedScanSendsTheTerminalEventAgain() {
        ScanJournal journal = new ScanJournal(100);
        journal.append(started(1));
        journal.append(port(2));
        journal.append(done(3));
        // Without it, the stream would be empty and the client could not tell the scan is over.
        assertThat(ids(journal.follow(3).collectList().block())).containsExactly(3L);
        assertThat(journal.follow(99).collectList().block())
                .singleElement().satisfies(e -> assertThat(e.data()).isInstanceOf(EventData.Done.class));
        assertThat(journal.followers()).isZero();
    }

    @Test
    void aFollowerGetsOnlyWhatItRequestsSoASlowOneHoldsNothingUp() {
        ScanJournal journal = new ScanJournal(100);
        journal.append(started(1));
        StepVerifier.create(journal.follow(0), 1)
                .expectNextMatches(e -> e.id() == 1)
                .then(() -> {
                    // The producer is never blocked by a follower that has not asked for more.
                    for (long id = 2; id <= 30; id++) {
                        journal.append(port(id));
                    }
                    journal.append(done(31));
                })
                .expectNoEvent(Duration.ofMillis(50))
                .thenRequest(29)
                .expectNextCount(29)
                .thenRequest(1)
                .expectNextMatches(e -> e.id() == 31)
                .verifyComplete();
    }

    @Test
    void progressIsThinnedButStartedPortsAndDoneAreKept() {
        ScanJournal journal = new ScanJournal(10);
        journal.append(started(1));
        long id = 2;
        for (int i = 0; i < 1000; i++) {
            journal.append(i % 100 == 0 ? port(id++) : progress(id++));
        }
        journal.append(done(id));
        List<ScanEvent> kept = journal.snapshot();
        assertThat(kept.stream().filter(e -> e.data() instanceof EventData.Progress).count()).isLessThanOrEqualTo(10);
        assertThat(kept.stream().filter(e -> e.data() instanceof EventData.Port).count()).isEqualTo(10);
        assertThat(kept.get(0).data()).isInstanceOf(EventData.Started.class);
        assertThat(kept.get(kept.size() - 1).data()).isInstanceOf(EventData.Done.class);
        assertThat(ids(kept)).isSorted();
        assertThat(kept.get(kept.size() - 2).data()).as("the newest progress is kept").isInstanceOf(EventData.Progress.class);
    }

    @Test
    void idsMustRiseAndNothingFollowsDone() {
        ScanJournal journal = new ScanJournal(10);
        journal.append(started(1));
        assertThatThrownBy(() -> journal.append(port(1))).isInstanceOf(IllegalArgumentException.class);
        journal.append(done(2));
        assertThatThrownBy(() -> journal.append(port(3))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aCancelledFollowerIsForgotten() {
        ScanJournal journal = new ScanJournal(10);
        journal.append(started(1));
        StepVerifier.create(journal.follow(0)).expectNextCount(1).thenCancel().verify();
        assertThat(journal.followers()).isZero();
    }
}
