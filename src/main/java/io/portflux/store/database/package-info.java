/**
 * Where the store's database is and how it is reached: the one URL setting and what is derived from it, the
 * connection pool, and the schema migration that runs beside the start.
 */
@NullMarked
package io.portflux.store.database;

import org.jspecify.annotations.NullMarked;
