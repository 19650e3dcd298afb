package io.portflux.detect;

import io.portflux.probe.InFlightBudget;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * BudgetSlot is one slot of the process-wide {@link InFlightBudget} held by a detection connection from just
 * before it opens until its socket is closed, so that probes and detections together never have more sockets
 * open than the budget allows.
 */
final class BudgetSlot {

    private static final int WAITING = 0;
    private static final int HANDED_OVER = 1;
    private static final int CANCELLED = 2;

    private final InFlightBudget budget;
    private final AtomicBoolean released = new AtomicBoolean();

    private BudgetSlot(InFlightBudget budget) {
        this.budget = budget;
    }

    /**
     * Emits a slot once the budget grants one; cancelled while queued, it takes nothing. A slot granted to a
     * taker that leaves before it is delivered (a cancel racing the hand-over, or a taker that had not asked
     * yet) is discarded by the sink, and given back here.
     */
    static Mono<BudgetSlot> take(InFlightBudget budget) {
        return Mono.<BudgetSlot>create(sink -> {
            Claim claim = new Claim(budget, sink);
            sink.onCancel(claim::cancel);
            if (budget.acquire(claim)) {
                claim.granted();
            }
        }).doOnDiscard(BudgetSlot.class, BudgetSlot::release);
    }

    private static final class Claim extends InFlightBudget.Waiter {
        private final InFlightBudget budget;
        private final MonoSink<BudgetSlot> sink;
        private final AtomicInteger state = new AtomicInteger(WAITING);

        Claim(InFlightBudget budget, MonoSink<BudgetSlot> sink) {
            this.budget = budget;
            this.sink = sink;
        }

        @Override
        protected void granted() {
            if (state.compareAndSet(WAITING, HANDED_OVER)) {
                sink.success(new BudgetSlot(budget));
            } else {
                budget.release(); // granted after the taker left: give it straight back
            }
        }

        void cancel() {
            if (state.compareAndSet(WAITING, CANCELLED)) {
                cancelWaiting(); // if it was already granted, granted() sees CANCELLED and releases
            }
        }
    }

    /** Gives the slot back; only the first call does. */
    void release() {
        if (released.compareAndSet(false, true)) {
            budget.release();
        }
    }
}
