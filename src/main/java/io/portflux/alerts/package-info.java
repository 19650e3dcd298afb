/**
 * Alerts: webhook deliveries, signed with HMAC-SHA256 over the raw body, to URLs that pass a policy of their
 * own ({@code portflux.alerts.allow}), so that a schedule is no way to reach an arbitrary address.
 */
@NullMarked
package io.portflux.alerts;

import org.jspecify.annotations.NullMarked;
