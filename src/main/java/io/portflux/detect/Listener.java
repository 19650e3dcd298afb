package io.portflux.detect;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Listener is the last handler of a detection connection's pipeline: it keeps what the peer sends and lets
 * a conversation wait for enough of it, for the peer to close, or for a timeout. It sees both the raw bytes
 * (up to a cap, through its {@link #tap()} at the front of the pipeline, behind TLS) and the one message a
 * codec in front of it decoded (an HTTP head, a DNS answer).
 *
 * <p>On the greeting connection the tap also answers telnet option negotiation, refusing every option
 * (DO → WONT, WILL → DONT), and keeps only the data bytes. A reset after data ends the reply like a close
 * does; it is not an error. Every callback runs on the channel's event loop; waiters may come from any thread.
 */
final class Listener extends ChannelInboundHandlerAdapter {

    static final String NAME = "portflux.detect.listener";
    static final String TAP = "portflux.detect.tap";

    private static final int IAC = 255;
    private static final int WILL = 251;
    private static final int WONT = 252;
    private static final int DO = 253;
    private static final int DONT = 254;
    private static final int SB = 250;
    private static final int SE = 240;

    private final int maxBytes;
    private final boolean refuseTelnet;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private Function<Object, @Nullable Object> decode = message -> message;
    private @Nullable Object message;
    private long received;
    private boolean telnet;
    private boolean closed;
    private int iacState;
    private int iacCommand;
    private @Nullable MonoSink<Reply> waiter;
    private Predicate<Reply> until = reply -> false;

    Listener(int maxBytes, boolean refuseTelnet) {
        this.maxBytes = maxBytes;
        this.refuseTelnet = refuseTelnet;
    }

    /** Sets how a codec's message is kept: the function copies what matters and must not keep the message. */
    synchronized void decodeWith(Function<Object, @Nullable Object> decode) {
        this.decode = decode;
    }

    /**
     * Forgets the decoded message, to read the answer to a probe sent next. The raw bytes stay: on the
     * greeting connection, a greeting that comes only after the probe went out is still read whole.
     */
    synchronized void reset() {
        message = null;
    }

    /**
     * Emits the reply once {@code enough} holds for it, the peer closes, or the byte cap is reached; after
     * {@code timeout}, emits what has come so far, marked timed out.
     */
    Mono<Reply> await(Predicate<Reply> enough, Duration timeout) {
        return Mono.<Reply>create(sink -> {
            Reply now;
            synchronized (this) {
                now = reply(false);
                if (!finished(now, enough)) {
                    waiter = sink;
                    until = enough;
                    sink.onDispose(this::forget);
                    return;
                }
            }
            sink.success(now);
        }).timeout(timeout, Mono.fromSupplier(() -> {
            synchronized (this) {
                waiter = null;
                return reply(true);
            }
        }));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // reactor-netty reads only on demand from its own receiver, which detection does not use.
        ctx.channel().config().setAutoRead(true);
        if (!ctx.channel().isActive()) {
            synchronized (this) {
                closed = true; // closed before this handler was there to see it
            }
        }
        ctx.read();
    }

    /** The handler that copies the raw bytes for this listener; it goes first in the pipeline. */
    ChannelInboundHandlerAdapter tap() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf buf) {
                    ByteBuf answer = take(buf);
                    if (answer != null) {
                        ctx.writeAndFlush(answer);
                    }
                    if (overCap()) {
                        ctx.channel().config().setAutoRead(false); // read no further than the cap
                    }
                }
                ctx.fireChannelRead(msg);
                // The raw bytes alone may end a reply: a greeting that comes behind a codec still waiting for its
                // message (telnet negotiation during the HTTP probe).
                check();
            }
        };
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof ByteBuf) {
                // Raw bytes with no codec in front: the tap has kept them already.
            } else {
                synchronized (this) {
                    if (message == null) {
                        message = decode.apply(msg);
                    }
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
        check();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        synchronized (this) {
            closed = true;
        }
        check();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset, a failed handshake or a codec that gave up: the reply ends here, with what came before.
        synchronized (this) {
            closed = true;
        }
        check();
        ctx.close();
    }

    private synchronized @Nullable ByteBuf take(ByteBuf buf) {
        int n = buf.readableBytes();
        received += n;
        ByteBuf refusals = null;
        for (int i = 0; i < n; i++) {
            int b = buf.getUnsignedByte(buf.readerIndex() + i);
            if (!refuseTelnet) {
                keep(b);
                continue;
            }
            switch (iacState) {
                case 0 -> {
                    if (b == IAC) {
                        iacState = 1;
                    } else {
                        keep(b);
                    }
                }
                case 1 -> {
                    if (b == IAC) {
                        keep(b); // an escaped data byte 255
                        iacState = 0;
                    } else if (b >= WILL && b <= DONT) {
                        telnet = true;
                        iacCommand = b;
                        iacState = 2;
                    } else if (b == SB) {
                        telnet = true;
                        iacState = 3;
                    } else {
                        telnet = true;
                        iacState = 0;
                    }
                }
                case 2 -> {
                    int reply = iacCommand == DO ? WONT : iacCommand == WILL ? DONT : 0;
                    if (reply != 0) {
                        if (refusals == null) {
                            refusals = Unpooled.buffer(3);
                        }
                        refusals.writeByte(IAC).writeByte(reply).writeByte(b);
                    }
                    iacState = 0;
                }
                case 3 -> iacState = b == IAC ? 4 : 3;
                default -> iacState = b == SE ? 0 : 3;
            }
        }
        return refusals;
    }

    private void keep(int b) {
        if (bytes.size() < maxBytes) {
            bytes.write(b);
        }
    }

    private void check() {
        MonoSink<Reply> ready = null;
        Reply reply = null;
        synchronized (this) {
            if (waiter != null) {
                reply = reply(false);
                if (finished(reply, until)) {
                    ready = waiter;
                    waiter = null;
                }
            }
        }
        if (ready != null) {
            ready.success(reply);
        }
    }

    private synchronized boolean overCap() {
        return received >= maxBytes;
    }

    private synchronized void forget() {
        waiter = null;
    }

    private boolean finished(Reply reply, Predicate<Reply> enough) {
        return reply.closed() || received >= maxBytes || enough.test(reply);
    }

    private Reply reply(boolean timedOut) {
        return new Reply(bytes.toByteArray(), message, telnet, closed, timedOut);
    }
}
