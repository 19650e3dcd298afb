package io.portflux.detect;

import org.jspecify.annotations.Nullable;

/**
 * Reply is what one connection has received so far: the raw bytes (capped), the one decoded message a codec
 * produced (an HTTP head, a DNS answer), and how the reading ended.
 *
 * @param bytes the bytes received, at most the cap, telnet negotiation removed
 * @param message the decoded message, when a codec sits in the pipeline and produced one
 * @param telnet whether the peer started telnet option negotiation
 * @param closed whether the peer closed or reset the connection
 * @param timedOut whether the wait ended by time, not by the peer
 */
record Reply(byte[] bytes, @Nullable Object message, boolean telnet, boolean closed, boolean timedOut) {

    boolean empty() {
        return bytes.length == 0 && message == null && !telnet;
    }
}
