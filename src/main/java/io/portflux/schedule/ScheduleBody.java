package io.portflux.schedule;

import io.portflux.input.InvalidInputException;
import io.portflux.scan.ScanRequest;
import io.portflux.target.TargetNotAllowedException;
import io.portflux.web.scans.ScanParameters;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.scheduling.support.CronExpression;

/**
 * ScheduleBody reads a schedule from its JSON body (or from a schedule declared in the configuration):
 *
 * <pre>
 * {"name": "dmz", "cron": "*&#47;5 * * * * *", "zone": "UTC", "enabled": true,
 *  "scan": {"targets": "127.0.0.1", "ports": "top-1000"},
 *  "alerts": {"webhook": "http://127.0.0.1:9000/hook"}}
 * </pre>
 *
 * The scan object is read by the code that reads a {@code POST /api/scans} body; every refusal names its field as
 * a path ({@code cron}, {@code scan.targets}, {@code alerts.webhook}).
 */
public final class ScheduleBody {

    static final List<String> NAMES = List.of("name", "cron", "zone", "enabled", "scan", "alerts");
    static final List<String> ALERT_NAMES = List.of("webhook");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final int MAX_CRON = 256;
    private static final int MAX_URL = 2048;

    private ScheduleBody() {}

    /** The spec {@code body} describes, its syntax checked; the scan's plan and the webhook's host are not. */
    public static ScheduleSpec parse(@Nullable Map<String, Object> body) {
        if (body == null) {
            throw new InvalidInputException("name", null, "required: the body is a JSON object with name, cron and scan");
        }
        ScanParameters.requireKnown(body.keySet(), NAMES, body);
        String name = text(body, "name", "name");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidInputException("name", name, "required: 1-128 letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit");
        }
        String cron = text(body, "cron", "cron");
        if (cron == null || cron.isBlank()) {
            throw new InvalidInputException("cron", cron, "required: six fields with seconds, e.g. '0 */5 * * * *'");
        }
        if (cron.length() > MAX_CRON) {
            throw new InvalidInputException("cron", cron, "longer than " + MAX_CRON + " characters");
        }
        try {
            CronExpression.parse(cron.strip());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("cron", cron, "not a cron expression (second minute hour day month weekday, "
                    + "e.g. '0 */5 * * * *'): " + e.getMessage());
        }
        String zoneText = text(body, "zone", "zone");
        ZoneId zone;
        try {
            zone = zoneText == null || zoneText.isBlank() ? ZoneId.of("UTC") : ZoneId.of(zoneText.strip());
        } catch (DateTimeException e) {
            throw new InvalidInputException("zone", zoneText, "not a time zone: use a region such as 'Europe/Paris' or "
                    + "an offset such as 'UTC' or '+02:00'");
        }
        Object enabled = body.get("enabled");
        if (enabled != null && !(enabled instanceof Boolean)) {
            throw new InvalidInputException("enabled", String.valueOf(enabled), "expected true or false");
        }
        return new ScheduleSpec(name, cron.strip(), zone, enabled == null || (Boolean) enabled, scan(body.get("scan")),
                webhook(body.get("alerts")));
    }

    private static ScanRequest scan(@Nullable Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new InvalidInputException("scan", value == null ? null : String.valueOf(value),
                    "required: an object of scan parameters, as the body of POST /api/scans");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> scan = (Map<String, Object>) map;
        try {
            ScanRequest request = ScanParameters.fromJson(scan);
            if (request.targets() == null || request.targets().isBlank()) {
                throw new InvalidInputException("targets", request.targets(), "required");
            }
            return request;
        } catch (RuntimeException e) {
            throw within("scan", e);
        }
    }

    private static @Nullable String webhook(@Nullable Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new InvalidInputException("alerts", String.valueOf(value), "expected an object such as "
                    + "{\"webhook\": \"http://127.0.0.1:9000/hook\"}");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> alerts = (Map<String, Object>) map;
        try {
            ScanParameters.requireKnown(alerts.keySet(), ALERT_NAMES, alerts);
        } catch (InvalidInputException e) {
            throw within("alerts", e);
        }
        String url = text(alerts, "webhook", "alerts.webhook");
        if (url != null && url.length() > MAX_URL) {
            throw new InvalidInputException("alerts.webhook", url, "longer than " + MAX_URL + " characters");
        }
        return url == null || url.isBlank() ? null : url.strip();
    }

    private static @Nullable String text(Map<String, Object> body, String key, String field) {
        Object value = body.get(key);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw new InvalidInputException(field, String.valueOf(value), "expected a JSON string");
    }

    /**
     * {@code e} with its field named as a path below {@code parent}: {@code targets} becomes {@code scan.targets}.
     * Other errors go through as they are.
     */
    static RuntimeException within(String parent, RuntimeException e) {
        if (e instanceof InvalidInputException invalid) {
            return new InvalidInputException(parent + "." + invalid.field(), invalid.value(),
                    problem(invalid.getMessage(), invalid.field() + "=" + quote(invalid.value()) + ": "));
        }
        if (e instanceof TargetNotAllowedException refused) {
            return new TargetNotAllowedException(parent + "." + refused.field(), refused.target(),
                    problem(refused.getMessage(), refused.field() + "='" + refused.target() + "': "));
        }
        return e;
    }

    private static String problem(String message, String prefix) {
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    private static String quote(@Nullable String value) {
        return value == null ? "(missing)" : "'" + value + "'";
    }
}
