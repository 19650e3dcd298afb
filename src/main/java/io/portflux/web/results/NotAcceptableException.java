package io.portflux.web.results;

/** NotAcceptableException is an {@code Accept} header that no format of the endpoint matches (HTTP 406). */
public class NotAcceptableException extends RuntimeException {

    private final String value;

    public NotAcceptableException(String value, String offered) {
        super("Accept='" + value + "': no format here matches; accepted: " + offered
                + " (or name one with the 'format' parameter)");
        this.value = value;
    }

    /** The {@code Accept} header as given. */
    public String value() {
        return value;
    }
}
