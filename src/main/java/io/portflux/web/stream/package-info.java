/**
 * Streaming: SSE and NDJSON framing, heartbeats, and ending every stream on shutdown.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.web.stream;

import org.jspecify.annotations.NullMarked;
