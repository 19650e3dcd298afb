package io.portflux.web.problem;

import java.net.URI;

/**
 * ProblemTypes names the {@code type} URIs of the API's problem details (RFC 9457), for every part of the
 * web layer that writes one: the exception handlers and the filters that answer before any controller.
 */
public final class ProblemTypes {

    /** The base of every problem type: the type's own name follows it. */
    public static final String BASE = "https://portflux.dev/problems/";

    private ProblemTypes() {}

    /** The type URI for {@code name}, such as {@code invalid-parameter}. */
    public static URI of(String name) {
        return URI.create(BASE + name);
    }
}
