/**
 * The scan store: scans, their journals and port results in PostgreSQL or an embedded H2 file through R2DBC,
 * with replica leases and the wake-ups that let any replica serve any scan.
 */
@NullMarked
package io.portflux.store;

import org.jspecify.annotations.NullMarked;
