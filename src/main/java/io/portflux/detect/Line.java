package io.portflux.detect;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/**
 * Line is one open detection connection: its channel, the peer it was opened to, and the {@link Listener}
 * at the end of its pipeline.
 */
record Line(Channel channel, InetSocketAddress peer, Listener listener) {}
