package io.portflux.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InFlightBudgetTests {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    /** Records its grant, so tests can see who got a slot and in which order. */
    private static final class Recorder extends InFlightBudget.Waiter {
        final String name;
        final List<String> log;
        int grants;

        Recorder(String name, List<String> log) {
            this.name = name;
            this.log = log;
        }

        @Override
        protected void granted() {
            grants++;
            log.add(name);
        }
    }

    private void advanceMillis(long ms) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void spareIsWhatAnAcquireWouldGetAtOnceAndNoneWhileWaitersQueue() {
        List<String> log = new ArrayList<>();
        InFlightBudget budget = new InFlightBudget(2, clock::get);
        assertThat(budget.spare()).isEqualTo(2);
        assertThat(budget.acquire(new Recorder("a", log))).isTrue();
        assertThat(budget.spare()).isEqualTo(1);
        assertThat(budget.acquire(new Recorder("b", log))).isTrue();
        assertThat(budget.acquire(new Recorder("c", log))).isFalse();
        assertThat(budget.spare()).isZero();
        budget.release();
        budget.release();
        assertThat(budget.spare()).isEqualTo(1);
    }

    @Test
    void grantsUpToTheMaximumThenQueuesInOrder() {
        List<String> log = new ArrayList<>();
        InFlightBudget budget = new InFlightBudget(2, clock::get);
        assertThat(budget.acquire(new Recorder("a", log))).isTrue();
        assertThat(budget.acquire(new Recorder("b", log))).isTrue();
        Recorder c = new Recorder("c", log);
        Recorder d = new Recorder("d", log);
        assertThat(budget.acquire(c)).isFalse();
        assertThat(budget.acquire(d)).isFalse();
        assertThat(budget.inUse()).isEqualTo(2);
        assertThat(budget.queued()).isEqualTo(2);

        budget.release();
        assertThat(log).containsExactly("c");
        assertThat(budget.inUse()).isEqualTo(2);
        budget.release();
        assertThat(log).containsExactly("c", "d");
        budget.release();
        budget.release();
        assertThat(budget.inUse()).isZero();
        assertThat(c.grants).isEqualTo(1);
        assertThat(d.grants).isEqualTo(1);
    }

    @Test
    void cancelledWaitersAreSkippedAndHoldNothing() {
        List<String> log = new ArrayList<>();
        InFlightBudget budget = new InFlightBudget(1, clock::get);
        Recorder first = new Recorder("first", log);
        assertThat(budget.acquire(first)).isTrue();
        assertThat(first.cancelWaiting()).as("a granted waiter cannot withdraw").isFalse();
        Recorder gone = new Recorder("gone", log);
        Recorder next = new Recorder("next", log);
        budget.acquire(gone);
        budget.acquire(next);
        assertThat(gone.cancelWaiting()).isTrue();
        budget.release();
        assertThat(log).containsExactly("next");
        assertThat(budget.inUse()).isEqualTo(1);
        assertThat(budget.queued()).isZero();
    }

    @Test
    void aWaiterIsUsedOnce() {
        InFlightBudget budget = new InFlightBudget(4, clock::get);
        Recorder once = new Recorder("once", new ArrayList<>());
        budget.acquire(once);
        assertThatThrownBy(() -> budget.acquire(once)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void releaseWithoutAcquireIsABug() {
        assertThatThrownBy(() -> new InFlightBudget(4).release()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rejectsAnEmptyBudget() {
        assertThatThrownBy(() -> new InFlightBudget(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLocalFaultHalvesTheLimitAndItComesBackGradually() {
        InFlightBudget budget = new InFlightBudget(256, clock::get);
        budget.onLocalFault();
        assertThat(budget.limit()).isEqualTo(128);
        // A burst of faults counts once.
        budget.onLocalFault();
        advanceMillis(50);
        budget.onLocalFault();
        assertThat(budget.limit()).isEqualTo(128);
        advanceMillis(100);
        budget.onLocalFault();
        assertThat(budget.limit()).isEqualTo(64);

        advanceMillis(999);
        assertThat(budget.limit()).as("still backing off").isEqualTo(64);
        advanceMillis(1);
        assertThat(budget.limit()).isEqualTo(128);
        advanceMillis(500);
        assertThat(budget.limit()).isEqualTo(128);
        advanceMillis(500);
        assertThat(budget.limit()).isEqualTo(256);
        advanceMillis(5000);
        assertThat(budget.limit()).isEqualTo(256);
    }

    @Test
    void aFaultCutsTheLimitToTheSocketsOpenWhenTheResourceRanOut() {
        InFlightBudget budget = new InFlightBudget(4000, clock::get);
        budget.onLocalFault(75);
        assertThat(budget.limit()).as("down to what was open, not just half").isEqualTo(75);
        advanceMillis(150);
        budget.onLocalFault(5000);
        assertThat(budget.limit()).as("at least halved").isEqualTo(37);
        advanceMillis(150);
        budget.onLocalFault(3);
        assertThat(budget.limit()).as("never below the floor").isEqualTo(InFlightBudget.FLOOR);
        advanceMillis(1000);
        assertThat(budget.limit()).isEqualTo(2 * InFlightBudget.FLOOR);
    }

    @Test
    void faultsNeverCutBelowTheFloor() {
        InFlightBudget budget = new InFlightBudget(100, clock::get);
        for (int i = 0; i < 20; i++) {
            budget.onLocalFault();
            advanceMillis(150);
        }
        assertThat(budget.limit()).isEqualTo(InFlightBudget.FLOOR);
        InFlightBudget tiny = new InFlightBudget(2, clock::get);
        tiny.onLocalFault();
        assertThat(tiny.limit()).isEqualTo(2);
    }

    @Test
    void aReducedLimitHoldsBackNewProbesUntilEnoughAreReleased() {
        List<String> log = new ArrayList<>();
        InFlightBudget budget = new InFlightBudget(32, clock::get);
        for (int i = 0; i < 32; i++) {
            assertThat(budget.acquire(new Recorder("held" + i, log))).isTrue();
        }
        budget.onLocalFault(); // limit 16 with 32 held
        Recorder waiting = new Recorder("waiting", log);
        assertThat(budget.acquire(waiting)).isFalse();
        for (int i = 0; i < 16; i++) {
            budget.release();
        }
        assertThat(log).as("16 still held, the limit is 16").isEmpty();
        budget.release();
        assertThat(log).containsExactly("waiting");
    }

    @Test
    void restoringTheLimitLetsSeveralWaitersGoAtOnce() {
        List<String> log = new ArrayList<>();
        InFlightBudget budget = new InFlightBudget(32, clock::get);
        budget.onLocalFault(); // limit 16
        for (int i = 0; i < 16; i++) {
            budget.acquire(new Recorder("held" + i, log));
        }
        for (int i = 0; i < 4; i++) {
            assertThat(budget.acquire(new Recorder("w" + i, log))).isFalse();
        }
        advanceMillis(1000);
        budget.release(); // limit back to 32: all four fit
        assertThat(log).containsExactly("w0", "w1", "w2", "w3");
        assertThat(budget.inUse()).isEqualTo(19);
    }

    @Test
    void defaultFromTheFileLimitKeepsHeadroomAndAMinimum() {
        assertThat(InFlightBudget.fromFileLimit(20_000, 512)).isEqualTo(19_488);
        assertThat(InFlightBudget.fromFileLimit(1024, 512)).isEqualTo(512);
        assertThat(InFlightBudget.fromFileLimit(256, 512)).isEqualTo(64);
    }

    @Test
    void neverExceedsTheLimitUnderConcurrentUse() throws Exception {
        InFlightBudget budget = new InFlightBudget(8);
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        int perThread = 20_000;
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch finished = new CountDownLatch(threads * perThread);
        // Each holder releases on whichever thread grants it, as probes do on their loops.
        class Holder extends InFlightBudget.Waiter {
            void hold() {
                peak.accumulateAndGet(holding.incrementAndGet(), Math::max);
                holding.decrementAndGet();
                done.incrementAndGet();
                budget.release();
                finished.countDown();
            }

            @Override
            protected void granted() {
                hold();
            }
        }
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                for (int i = 0; i < perThread; i++) {
                    Holder h = new Holder();
                    if (budget.acquire(h)) {
                        h.hold();
                    }
                }
            });
        }
        assertThat(finished.await(30, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        assertThat(done.get()).isEqualTo(threads * perThread);
        assertThat(peak.get()).isLessThanOrEqualTo(8);
        assertThat(budget.inUse()).isZero();
    }
}
