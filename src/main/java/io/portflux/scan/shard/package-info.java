/**
 * Shards of a scan's probe space: contiguous ranges of the permuted index space, the balanced cut into them,
 * and the contiguous-completion watermark of a range being probed, so that a range can be taken over from its
 * watermark by another replica with every index probed (and counted) exactly once.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.scan.shard;

import org.jspecify.annotations.NullMarked;
