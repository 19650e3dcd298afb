/**
 * Results of stored scans for other tools: exports (JSON, NDJSON, CSV, nmap XML, nmap grepable) streamed from
 * the store row by row, and the diff of two scans keyed as ndiff keys them.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.results;

import org.jspecify.annotations.NullMarked;
