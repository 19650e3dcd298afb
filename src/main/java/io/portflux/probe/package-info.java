/**
 * Probes: TCP connects on the event loops' own bare sockets (io_uring, epoll) or Netty channels (NIO), and errno classification.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.probe;

import org.jspecify.annotations.NullMarked;
