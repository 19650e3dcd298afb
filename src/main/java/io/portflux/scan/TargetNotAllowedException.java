package io.portflux.scan;

/** TargetNotAllowedException is a target that lies outside the allowed address blocks (HTTP 403). */
public class TargetNotAllowedException extends RuntimeException {

    private final String target;

    public TargetNotAllowedException(String target, String problem) {
        super("targets='" + target + "': " + problem);
        this.target = target;
    }

    public String target() {
        return target;
    }
}
