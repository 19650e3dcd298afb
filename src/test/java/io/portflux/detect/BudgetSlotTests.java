package io.portflux.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.probe.InFlightBudget;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

class BudgetSlotTests {

    @Test
    void aSlotGrantedButNeverDeliveredGoesBackWhenTheTakerLeaves() {
        InFlightBudget budget = new InFlightBudget(1);
        // A taker that has not asked for the slot yet: the budget grants it at once, and it waits in the sink.
        BaseSubscriber<BudgetSlot> taker = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                // requests nothing
            }
        };
        BudgetSlot.take(budget).subscribe(taker);
        assertThat(budget.inUse()).isEqualTo(1);

        taker.dispose();

        assertThat(budget.inUse()).as("a slot discarded on cancel is given back").isZero();
    }

    @Test
    void aSlotCancelledWhileQueuedTakesNothingAndADeliveredOneIsTheTakersToGiveBack() {
        InFlightBudget budget = new InFlightBudget(1);
        AtomicReference<BudgetSlot> first = new AtomicReference<>();
        BudgetSlot.take(budget).subscribe(first::set);
        assertThat(first.get()).isNotNull();

        var queued = BudgetSlot.take(budget).subscribe(slot -> { throw new AssertionError("no slot was free"); });
        assertThat(budget.queued()).isEqualTo(1);
        queued.dispose();
        assertThat(budget.inUse()).isEqualTo(1);

        first.get().release();
        first.get().release();
        assertThat(budget.inUse()).as("the cancelled claim is skipped, and a second release is a no-op").isZero();
    }
}
