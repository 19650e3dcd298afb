/** The schedules API: {@code /api/schedules} and each schedule's live stream of runs and changes. */
@NullMarked
package io.portflux.web.schedules;

import org.jspecify.annotations.NullMarked;
