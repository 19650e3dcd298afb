/**
 * The results endpoints of stored scans: exports in other tools' formats, and the diff of two scans.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.web.results;

import org.jspecify.annotations.NullMarked;
