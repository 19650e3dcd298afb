package io.portflux.web;

import io.portflux.input.InvalidInputException;
import io.portflux.scan.ScanTooLargeException;
import io.portflux.schedule.ScheduleNameTakenException;
import io.portflux.schedule.ScheduleNotFoundException;
import io.portflux.target.TargetNotAllowedException;
import io.portflux.target.TargetProperties;
import io.portflux.web.problem.ProblemTypes;
import io.portflux.web.quota.QuotaExceededException;
import io.portflux.web.results.NotAcceptableException;
import io.portflux.web.results.ScanRunningException;
import io.portflux.web.scans.ScanNotFoundException;
import io.portflux.web.scans.TooManyScansException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.resource.NoResourceFoundException;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import reactor.core.publisher.Mono;

/**
 * ProblemAdvice maps every rejected request to an RFC 9457 problem detail with the same members:
 * {@code type}, {@code title}, {@code status}, {@code detail} and {@code instance}, plus
 * {@code field} and {@code value} when one parameter is at fault.
 *
 * <p>It extends Spring's {@link ResponseEntityExceptionHandler}, which replaces Spring Boot's
 * default one, so that the framework's own errors (unknown path, unreadable JSON, wrong media type)
 * get the same shape and a detail that says what to do instead of Spring's generic text.
 */
@RestControllerAdvice
public class ProblemAdvice extends ResponseEntityExceptionHandler {

    private final TargetProperties targets;

    public ProblemAdvice(TargetProperties targets) {
        this.targets = targets;
    }

    @ExceptionHandler(InvalidInputException.class)
    ResponseEntity<ProblemDetail> invalid(InvalidInputException e) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "invalid-parameter", "Invalid scan parameter", e.getMessage());
        problem.setProperty("field", e.field());
        problem.setProperty("value", e.value());
        return respond(problem);
    }

    @ExceptionHandler(TargetNotAllowedException.class)
    ResponseEntity<ProblemDetail> notAllowed(TargetNotAllowedException e) {
        // The allow-list is shown: every caller that gets this far may scan (authentication is off,
        // or the caller showed a token), and it cannot guess the list except by probing it.
        // A schedule's scan names its targets scan.targets; its webhook (alerts.webhook) has a policy of its own.
        boolean scanTarget = e.field().equals("targets") || e.field().endsWith(".targets");
        String detail = scanTarget
                ? e.getMessage() + " (allowed: " + String.join(", ", targets.allow()) + ")"
                : e.getMessage();
        ProblemDetail problem = problem(HttpStatus.FORBIDDEN, "target-not-allowed", "Target not allowed", detail);
        problem.setProperty("field", e.field());
        problem.setProperty("value", e.target());
        if (!e.field().startsWith("alerts.")) {
            problem.setProperty("allowed", targets.allow());
        }
        return respond(problem);
    }

    @ExceptionHandler(ScheduleNotFoundException.class)
    ResponseEntity<ProblemDetail> scheduleNotFound(ScheduleNotFoundException e) {
        ProblemDetail problem = problem(HttpStatus.NOT_FOUND, "schedule-not-found", "Schedule not found", e.getMessage());
        problem.setProperty("id", e.id());
        return respond(problem);
    }

    @ExceptionHandler(ScheduleNameTakenException.class)
    ResponseEntity<ProblemDetail> scheduleNameTaken(ScheduleNameTakenException e) {
        ProblemDetail problem = problem(HttpStatus.CONFLICT, "schedule-name-taken", "Schedule name taken", e.getMessage());
        problem.setProperty("field", "name");
        problem.setProperty("value", e.name());
        return respond(problem);
    }

    @ExceptionHandler(ScanTooLargeException.class)
    ResponseEntity<ProblemDetail> tooLarge(ScanTooLargeException e) {
        ProblemDetail problem = problem(HttpStatus.CONTENT_TOO_LARGE, "scan-too-large", "Scan too large", e.getMessage());
        problem.setProperty("probes", e.probes());
        problem.setProperty("limit", e.limit());
        return respond(problem);
    }

    @ExceptionHandler(ScanNotFoundException.class)
    ResponseEntity<ProblemDetail> notFound(ScanNotFoundException e) {
        ProblemDetail problem = problem(HttpStatus.NOT_FOUND, "scan-not-found", "Scan not found", e.getMessage());
        problem.setProperty("id", e.id());
        return respond(problem);
    }

    @ExceptionHandler(ScanRunningException.class)
    ResponseEntity<ProblemDetail> running(ScanRunningException e) {
        ProblemDetail problem = problem(HttpStatus.CONFLICT, "scan-running", "Scan still running", e.getMessage());
        problem.setProperty("id", e.id());
        return respond(problem);
    }

    @ExceptionHandler(NotAcceptableException.class)
    ResponseEntity<ProblemDetail> notAcceptable(NotAcceptableException e) {
        ProblemDetail problem = problem(HttpStatus.NOT_ACCEPTABLE, "not-acceptable", "Not acceptable", e.getMessage());
        problem.setProperty("field", HttpHeaders.ACCEPT);
        problem.setProperty("value", e.value());
        return respond(problem);
    }

    @ExceptionHandler(TooManyScansException.class)
    ResponseEntity<ProblemDetail> tooMany(TooManyScansException e) {
        return retryLater(problem(HttpStatus.TOO_MANY_REQUESTS, "too-many-scans", "Too many scans", e.getMessage()),
                e.retryAfter());
    }

    @ExceptionHandler(QuotaExceededException.class)
    ResponseEntity<ProblemDetail> overQuota(QuotaExceededException e) {
        ProblemDetail problem = problem(HttpStatus.TOO_MANY_REQUESTS, "quota-exceeded", "Quota exceeded", e.getMessage());
        problem.setProperty("quota", e.quota());
        return retryLater(problem, e.retryAfter());
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleServerWebInputException(ServerWebInputException e, HttpHeaders headers,
            HttpStatusCode status, ServerWebExchange exchange) {
        return JsonProblems.of(e)
                .map(problem -> handleExceptionInternal(e, problem, headers, status, exchange))
                .orElseGet(() -> super.handleServerWebInputException(e, headers, status, exchange));
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleUnsupportedMediaTypeStatusException(UnsupportedMediaTypeStatusException e,
            HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        MediaType given = e.getContentType();
        ProblemDetail problem = problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type",
                (given == null ? "The request has no Content-Type" : "Content-Type '" + given + "' is not accepted here")
                        + "; send the scan parameters as a JSON object with Content-Type: application/json");
        problem.setProperty("field", HttpHeaders.CONTENT_TYPE);
        problem.setProperty("value", given == null ? null : given.toString());
        return handleExceptionInternal(e, problem, headers, status, exchange);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleResponseStatusException(ResponseStatusException e, HttpHeaders headers,
            HttpStatusCode status, ServerWebExchange exchange) {
        if (e instanceof NoResourceFoundException) {
            String path = exchange.getRequest().getPath().value();
            ProblemDetail problem = problem(HttpStatus.NOT_FOUND, "not-found", "Not found",
                    "Nothing is served at " + exchange.getRequest().getMethod() + " " + path
                            + "; the API is GET /api/scan, /api/scans and /api/scans/{id} (see README.md)");
            return handleExceptionInternal(e, problem, headers, status, exchange);
        }
        return super.handleResponseStatusException(e, headers, status, exchange);
    }

    /** Gives the framework's own problems a PortFlux {@code type} and the content type of a problem. */
    @Override
    protected Mono<ResponseEntity<Object>> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
            HttpStatusCode status, ServerWebExchange exchange) {
        if (body instanceof ProblemDetail problem && URI.create("about:blank").equals(problem.getType())) {
            String title = problem.getTitle() != null ? problem.getTitle()
                    : HttpStatus.resolve(status.value()) != null ? HttpStatus.resolve(status.value()).getReasonPhrase() : "Error";
            problem.setTitle(title);
            problem.setType(ProblemTypes.of(title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")));
        }
        return super.handleExceptionInternal(e, body, headers, status, exchange);
    }

    /** A 429 with {@code Retry-After} in whole seconds, also as {@code retryAfterSeconds} in the body. */
    static ResponseEntity<ProblemDetail> retryLater(ProblemDetail problem, Duration retryAfter) {
        // Rounded up: retrying after a truncated wait would only be refused again.
        long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        problem.setProperty("retryAfterSeconds", seconds);
        return ResponseEntity.status(problem.getStatus())
                .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(ProblemTypes.of(type));
        problem.setTitle(title);
        return problem;
    }

    static ResponseEntity<ProblemDetail> respond(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
