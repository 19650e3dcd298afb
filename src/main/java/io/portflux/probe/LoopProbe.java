package io.portflux.probe;

import io.netty.channel.EventLoop;
import io.portflux.scan.ProbeOutcome;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.publisher.MonoSink;

/**
 * LoopProbe is what every connect probe is, whatever its socket: a budget waiter that connects on its
 * lane's loop once it holds a slot, a loop task, and the cancel hook of its {@code Mono}, in one
 * object. It answers at most once, says nothing once cancelled, and cuts the in-flight budget on a
 * local fault.
 */
abstract class LoopProbe extends InFlightBudget.Waiter implements Runnable, Disposable {

    static final ProbeOutcome.ShutDown LOOP_SHUT_DOWN = new ProbeOutcome.ShutDown();

    final MonoSink<ProbeOutcome> sink;
    final EventLoop loop;
    final InFlightBudget budget;
    /** Probe sockets open across the prober, spares included. */
    final AtomicInteger inFlight;
    volatile boolean cancelled;

    LoopProbe(MonoSink<ProbeOutcome> sink, EventLoop loop, InFlightBudget budget, AtomicInteger inFlight) {
        this.sink = sink;
        this.loop = loop;
        this.budget = budget;
        this.inFlight = inFlight;
    }

    /** Connects, on the loop, now that a budget slot is held. */
    abstract void start();

    /** Stops a probe that holds a budget slot; called once, from any thread, after {@link #cancelled} is set. */
    abstract void abort();

    /** Takes a budget slot and connects, now or once a slot is free. */
    final void acquireAndStart() {
        if (budget.acquire(this)) {
            granted();
        }
    }

    @Override
    protected final void granted() {
        // The slot may have been freed by some other lane's probe: connect on our own loop.
        if (loop.inEventLoop()) {
            start();
            return;
        }
        try {
            loop.execute(this);
        } catch (RejectedExecutionException shutDown) {
            budget.release();
            answer(LOOP_SHUT_DOWN);
        }
    }

    @Override
    public final void run() {
        start();
    }

    /**
     * socket(2) failed (EMFILE, ENFILE, ...) while the probe held a budget slot; nothing was sent to the
     * target. The probe answers first, so a local fault cuts the budget, and gives its slot back after:
     * released first, the slot would go straight to the next waiter, which would start on this thread
     * and most likely fail the same way, through every waiter of the loop before the limit dropped.
     */
    final void socketFailed(Throwable failure) {
        try {
            answer(ConnectErrors.classify(failure, java.time.Duration.ZERO));
        } finally {
            budget.release();
        }
    }

    /** Sends the probe's outcome, unless its subscriber has gone; a local fault also cuts the budget. */
    final void answer(ProbeOutcome outcome) {
        if (cancelled) {
            return; // nobody is listening any more
        }
        if (outcome instanceof ProbeOutcome.LocalFault) {
            budget.onLocalFault(inFlight.get());
        }
        sink.success(outcome);
    }

    @Override
    public final void dispose() {
        cancelled = true;
        if (cancelWaiting()) {
            return; // still queued for a budget slot: holds nothing
        }
        abort();
    }
}
