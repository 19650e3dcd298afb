package io.portflux.web.scans;

/** ScanNotFoundException is a scan id that the registry does not know (HTTP 404). */
public class ScanNotFoundException extends RuntimeException {

    private final String id;

    public ScanNotFoundException(String id) {
        super("no scan with id '" + id + "' (unknown, or evicted after its retention time)");
        this.id = id;
    }

    public String id() {
        return id;
    }
}
