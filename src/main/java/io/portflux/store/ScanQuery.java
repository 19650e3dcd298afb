package io.portflux.store;

import io.portflux.scan.ScanStatus;
import java.time.Instant;

/**
 * ScanQuery selects one page of stored scans, newest first.
 *
 * @param status only scans with this status, or null for any
 * @param target only scans whose {@code targets} parameter contains this text (case-insensitive), or null
 * @param since only scans created at or after this instant, or null
 * @param until only scans created before this instant, or null
 * @param page the page number, from 0
 * @param size scans per page
 */
public record ScanQuery(ScanStatus status, String target, Instant since, Instant until, int page, int size) {

    /** Most scans on one page. */
    public static final int MAX_SIZE = 1000;

    public ScanQuery {
        if (page < 0) {
            throw new IllegalArgumentException("page must be >= 0: " + page);
        }
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size must be 1.." + MAX_SIZE + ": " + size);
        }
        if (target != null && target.isBlank()) {
            target = null;
        }
    }

    /** The first {@code size} scans, with no filter. */
    public static ScanQuery newest(int size) {
        return new ScanQuery(null, null, null, null, 0, size);
    }
}
