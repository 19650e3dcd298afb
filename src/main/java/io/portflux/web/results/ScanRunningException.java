package io.portflux.web.results;

/** ScanRunningException is a request for the results of a scan that is still running (HTTP 409). */
public class ScanRunningException extends RuntimeException {

    private final String id;

    public ScanRunningException(String id, String what) {
        super("scan '" + id + "' is still running: " + what + " once it has finished (GET /api/scans/" + id
                + " says when), or follow its events meanwhile");
        this.id = id;
    }

    public String id() {
        return id;
    }
}
