package io.portflux.web.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

class StreamResponsesTests {

    @Test
    void sseIsTheDefaultAndNdjsonOnlyWhenAsked() {
        assertThat(StreamResponses.wantsNdjson(null)).isFalse();
        assertThat(StreamResponses.wantsNdjson(List.of(MediaType.ALL))).isFalse();
        assertThat(StreamResponses.wantsNdjson(List.of(MediaType.TEXT_EVENT_STREAM))).isFalse();
        assertThat(StreamResponses.wantsNdjson(List.of(MediaType.APPLICATION_NDJSON))).isTrue();
        assertThat(StreamResponses.wantsNdjson(MediaType.parseMediaTypes("text/event-stream, application/x-ndjson"))).isFalse();
        assertThat(StreamResponses.wantsNdjson(MediaType.parseMediaTypes("application/x-ndjson, */*"))).isTrue();
    }
}
