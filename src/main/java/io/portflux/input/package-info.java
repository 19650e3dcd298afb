/**
 * Input: the error every bad scan parameter becomes, and the parsing shared by several parameters.
 *
 * <p>Everything here is non-null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.portflux.input;

import org.jspecify.annotations.NullMarked;
