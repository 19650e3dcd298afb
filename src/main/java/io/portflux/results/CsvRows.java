package io.portflux.results;

import io.portflux.store.PortResult;
import java.math.BigDecimal;
import org.apache.commons.text.StringEscapeUtils;
import org.jspecify.annotations.Nullable;

/** CsvRows writes the CSV export: a header row, then one row per stored port, quoted as RFC 4180 says. */
final class CsvRows {

    static final String HEADER = "scan_id,timestamp,host,ip,port,protocol,state,reason,service,product,version,rtt_ms";
    /** RFC 4180 ends every record with CRLF. */
    static final String EOL = "\r\n";

    private CsvRows() {}

    static String header() {
        return HEADER + EOL;
    }

    /**
     * One record; {@code timestamp} is when the scan started (ports carry no time of their own), and the RTT is
     * a plain decimal ({@code 0.0004}, never {@code 4.0E-4}, which a spreadsheet would not take for a number).
     */
    static String row(String scanId, String timestamp, PortResult r) {
        return String.join(",", field(scanId), field(timestamp), field(r.host()), field(r.ip()),
                Integer.toString(r.port()), "tcp", field(r.state()), field(r.reason()), field(r.service()),
                field(r.product()), field(r.version()), r.rttMs() == null ? "" : BigDecimal.valueOf(r.rttMs()).stripTrailingZeros().toPlainString()) + EOL;
    }

    private static String field(@Nullable String value) {
        return value == null ? "" : StringEscapeUtils.escapeCsv(value);
    }
}
