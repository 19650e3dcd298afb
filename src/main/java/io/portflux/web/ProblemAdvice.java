package io.portflux.web;

import io.portflux.input.InvalidInputException;
import io.portflux.scan.ScanTooLargeException;
import io.portflux.target.TargetNotAllowedException;
import io.portflux.web.problem.ProblemTypes;
import io.portflux.web.quota.QuotaExceededException;
import io.portflux.web.scans.ScanNotFoundException;
import io.portflux.web.scans.TooManyScansException;
import java.net.URI;
import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * ProblemAdvice maps rejected scan requests to RFC 9457 problem details whose {@code detail} names
 * the field and the offending value.
 */
@RestControllerAdvice
public class ProblemAdvice {

    @ExceptionHandler(InvalidInputException.class)
    ResponseEntity<ProblemDetail> invalid(InvalidInputException e) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "invalid-parameter", "Invalid scan parameter", e.getMessage());
        problem.setProperty("field", e.field());
        problem.setProperty("value", e.value());
        return respond(problem);
    }

    @ExceptionHandler(TargetNotAllowedException.class)
    ResponseEntity<ProblemDetail> notAllowed(TargetNotAllowedException e) {
        ProblemDetail problem = problem(HttpStatus.FORBIDDEN, "target-not-allowed", "Target not allowed", e.getMessage());
        problem.setProperty("field", e.field());
        problem.setProperty("value", e.target());
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
