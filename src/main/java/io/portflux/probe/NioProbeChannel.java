package io.portflux.probe;

import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;

/**
 * NioProbeChannel is the NIO probe channel, which can ask the kernel whether an overdue connect has in
 * fact completed before the probe calls it unanswered: a loop busy with other probes may not yet have
 * read a connect's answer when its timeout comes.
 */
final class NioProbeChannel extends NioSocketChannel {

    /**
     * True when the pending connect is established, false while it is still unanswered; throws the
     * connect's own error (a {@code ConnectException} for a refusal) when it failed.
     */
    boolean finishConnectNow() throws IOException {
        return javaChannel().finishConnect();
    }
}
