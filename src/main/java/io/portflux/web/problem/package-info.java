/**
 * Problem types: the type URIs of the API's RFC 9457 problem details.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.web.problem;

import org.jspecify.annotations.NullMarked;
