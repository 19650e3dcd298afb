package io.portflux.target;

/** TargetNotAllowedException is a target or port that the target policy refuses (HTTP 403). */
public class TargetNotAllowedException extends RuntimeException {

    private final String field;
    private final String target;

    /** A refused {@code targets} entry. */
    public TargetNotAllowedException(String target, String problem) {
        this(TargetSpec.FIELD, target, problem);
    }

    /** A refused value of {@code field} ({@code targets} or {@code ports}). */
    public TargetNotAllowedException(String field, String target, String problem) {
        super(field + "='" + target + "': " + problem);
        this.field = field;
        this.target = target;
    }

    /** The request parameter holding the refused value. */
    public String field() {
        return field;
    }

    /** The refused value as the client wrote it. */
    public String target() {
        return target;
    }
}
