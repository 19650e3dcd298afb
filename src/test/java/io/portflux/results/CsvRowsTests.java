package io.portflux.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.store.PortResult;
import org.junit.jupiter.api.Test;

class CsvRowsTests {

    @Test
    void fieldsAreQuotedAsRfc4180SaysAndRecordsEndWithCrlf() {
        PortResult r = new PortResult("127.0.0.1", 22, "host,with comma", "open", "conn-accept", "ssh",
                "Open \"SSH\"", "9.2p1\nDebian", "probed", 0.0004);
        assertThat(CsvRows.row("id1", "2026-11-30T03:22:49Z", r)).isEqualTo(
                "id1,2026-11-30T03:22:49Z,\"host,with comma\",127.0.0.1,22,tcp,open,conn-accept,ssh,"
                        + "\"Open \"\"SSH\"\"\",\"9.2p1\nDebian\",0.0004\r\n");
        assertThat(CsvRows.row("id1", "t", new PortResult("::1", 80, null, "closed", "conn-refused", null, null, null,
                null, null))).isEqualTo("id1,t,,::1,80,tcp,closed,conn-refused,,,,\r\n");
        assertThat(CsvRows.header()).isEqualTo(
                "scan_id,timestamp,host,ip,port,protocol,state,reason,service,product,version,rtt_ms\r\n");
    }
}
