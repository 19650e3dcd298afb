package io.portflux.scan.service;

import io.portflux.scan.event.EventData;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * ServiceDetector is the seam between the engine and service detection: a short conversation with one
 * open port that finds what speaks there.
 *
 * <p>The engine knows only this interface, as it knows only {@link io.portflux.scan.Prober} for connects;
 * the conversations themselves (Netty pipelines) live behind it.
 */
public interface ServiceDetector {

    /** A detector that never detects: scans run as if detection were off. */
    ServiceDetector NONE = new ServiceDetector() {
        @Override
        public Mono<Detection> detect(InetSocketAddress address, @Nullable Duration connectRtt) {
            return Mono.empty();
        }

        @Override
        public int concurrency() {
            return 1;
        }
    };

    /** First and last port that detection never talks to: printers print what they receive (JetDirect). */
    int PRINTER_FIRST = 9100;

    int PRINTER_LAST = 9107;

    /**
     * Talks to the open port at {@code address}, whose connect took {@code connectRtt} (null when unknown;
     * a detector may wait longer for a greeting on a slower path). Emits what was found, or completes empty
     * when nothing spoke in a way the detector knows; never errors for network answers, and is bounded in
     * time and bytes. Cancelling it closes its connections.
     */
    Mono<Detection> detect(InetSocketAddress address, @Nullable Duration connectRtt);

    /** {@link #detect(InetSocketAddress, Duration)} on a path of unknown round-trip time. */
    default Mono<Detection> detect(InetSocketAddress address) {
        return detect(address, null);
    }

    /** Most detections one scan runs at once. */
    int concurrency();

    /** Whether detection must leave {@code port} alone, whatever the port seems to be. */
    static boolean skipped(int port) {
        return port >= PRINTER_FIRST && port <= PRINTER_LAST;
    }

    /**
     * Detection is what a conversation found.
     *
     * @param service the protocol, in nmap's names ({@code ssh}, {@code http}, {@code tcpwrapped}, ...), or null
     *     when the port spoke in no protocol the detector knows (its banner still tells something)
     * @param product the server software, when it announces it
     * @param version its version, when it announces it
     * @param banner the first reply, printable and length-capped
     * @param tls the TLS session, when the port spoke TLS
     */
    record Detection(@Nullable String service, @Nullable String product, @Nullable String version,
            @Nullable String banner, EventData.@Nullable Tls tls) {}
}
