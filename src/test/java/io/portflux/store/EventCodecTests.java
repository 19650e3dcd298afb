package io.portflux.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.portflux.scan.event.EventData;
import io.portflux.scan.event.ScanEvent;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** EventCodecTests check the decoding of stored events. */
class EventCodecTests {

    private final EventCodec codec = new EventCodec(JsonMapper.builder().build());

    private EventData.Port port(long id, int port) {
        // Each event's JSON is its own string, as each row read from the store is.
        String data = new String("{\"host\":\"127.0.0.1\",\"ip\":\"127.0.0.1\",\"port\":" + port
                + ",\"state\":\"closed\",\"reason\":\"conn-refused\",\"service\":\"ssh\",\"rttMs\":0.5}");
        ScanEvent event = codec.event(id, "port", data);
        return (EventData.Port) event.data();
    }

    @Test
    void portEventsDecodedFromTheStoreShareTheirRepeatedStrings() {
        EventData.Port first = port(1, 22);
        EventData.Port second = port(2, 22);

        assertThat(second).isEqualTo(first);
        // 50 replays of a full-range scan held 184,000 decoded events; their own copies of these strings were most of
        // the 62 MB that ran a 90 MiB heap out of memory.
        assertThat(second.ip()).isSameAs(first.ip());
        assertThat(second.host()).isSameAs(first.host());
        assertThat(second.state()).isSameAs(first.state());
        assertThat(second.reason()).isSameAs(first.reason());
        assertThat(second.service()).isSameAs(first.service());
    }

    @Test
    void eventsOtherThanPortsDecodeAsStored() {
        ScanEvent done = codec.event(9, "done", "{\"status\":\"completed\",\"total\":2,\"scanned\":2,\"open\":0,"
                + "\"closed\":2,\"filtered\":0,\"errors\":0,\"elapsedMs\":5,\"openPorts\":[]}");
        assertThat(done.name()).isEqualTo("done");
        assertThat(((EventData.Done) done.data()).status()).isEqualTo("completed");
    }

    @Test
    void aSharedScanProgressStoredBeforeRangesCouldBeCancelledDecodesWithNoneCancelled() {
        ScanEvent progress = codec.event(3, "progress", "{\"scanned\":1,\"total\":2,\"open\":0,\"closed\":1,"
                + "\"filtered\":0,\"errors\":0,\"percent\":50.0,\"rate\":1.0,\"elapsedMs\":5,\"detecting\":0,"
                + "\"shards\":{\"done\":1,\"running\":1,\"waiting\":0,\"replicas\":[\"a\"]}}");
        assertThat(((EventData.Progress) progress.data()).shards())
                .isEqualTo(new EventData.ShardCounts(1, 1, 0, 0, java.util.List.of("a")));
    }
}
