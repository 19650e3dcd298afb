/**
 * Access: bearer tokens, scan-bound stream tickets and the client identity.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.web.access;

import org.jspecify.annotations.NullMarked;
