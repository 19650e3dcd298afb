package io.portflux.probe;

import io.portflux.testing.Await;

/** Idle waits, in the probe tests, until a prober has closed every probe socket and given back every budget slot. */
final class Idle {

    private Idle() {}

    static void await(ConnectProber prober) throws InterruptedException {
        Await.until(() -> prober.inFlight() == 0, "probe sockets closed, spares included");
        Await.until(() -> prober.budget().inUse() == 0, "budget slots given back");
    }
}
