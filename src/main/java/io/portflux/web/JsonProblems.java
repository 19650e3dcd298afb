package io.portflux.web;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;

/**
 * JsonProblems turns a request body that Jackson could not read into a problem that says where
 * and what was expected, instead of Spring's "Failed to read HTTP message".
 */
final class JsonProblems {

    private JsonProblems() {}

    /** A 400 for {@code error} if Jackson raised it (anywhere in its causes), else empty. */
    static Optional<ProblemDetail> of(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof JacksonException json) {
                return Optional.of(problem(json));
            }
        }
        return Optional.empty();
    }

    private static ProblemDetail problem(JacksonException e) {
        String field = e.getPath().stream()
                .map(JacksonException.Reference::getPropertyName)
                .filter(name -> name != null)
                .reduce((first, last) -> last)
                .orElse("body");
        String what = firstLine(e.getOriginalMessage());
        TokenStreamLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 0 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        // Scan parameters arrive as one JSON object whose values are strings or numbers.
        String detail = field + ": the request body is not a JSON object of scan parameters (" + what + ")" + where
                + "; expected e.g. {\"targets\": \"127.0.0.1\", \"ports\": \"1-1024\"}";
        ProblemDetail problem = ProblemAdvice.problem(HttpStatus.BAD_REQUEST, "invalid-json", "Invalid JSON body", detail);
        problem.setProperty("field", field);
        problem.setProperty("expected", "a JSON object whose values are strings or numbers");
        return problem;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
