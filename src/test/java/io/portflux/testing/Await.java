package io.portflux.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Await polls a condition that another thread or process makes true, for a bounded time, then asserts it. */
public final class Await {

    private static final Duration LIMIT = Duration.ofSeconds(15);

    /** A condition that may fail to be asked, as a command run to check it can. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {}

    public static void until(BooleanSupplier condition, String what) throws InterruptedException {
        try {
            until(condition::getAsBoolean, what, LIMIT);
        } catch (InterruptedException | RuntimeException | Error e) {
            throw e;
        } catch (Exception cannotHappen) {
            throw new IllegalStateException(cannotHappen);
        }
    }

    /** Polls {@code condition} for at most {@code limit}, then asserts it. */
    public static void until(Condition condition, String what, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.holds() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(condition.holds()).as(what).isTrue();
    }
}
