package io.portflux.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * HttpLoopsTests check that the server and client groups are made at their first use, each once, and that
 * disposed loops make none.
 */
class HttpLoopsTests {

    @Test
    void eachGroupIsMadeAtItsFirstUseAndOnlyOnce() {
        HttpLoops loops = new HttpLoops("test-lazy", 1);
        try {
            assertThat(loops.groupsMade()).isZero();
            assertThat(loops.isDisposed()).isFalse();

            assertThat(loops.onClient(true)).isSameAs(loops.onClient(true));
            assertThat(loops.groupsMade()).isEqualTo(1);

            assertThat(loops.onServer(true)).isSameAs(loops.onServerSelect(true)).isNotSameAs(loops.onClient(true));
            assertThat(loops.groupsMade()).isEqualTo(2);
        } finally {
            loops.close();
        }
        assertThat(loops.isDisposed()).isTrue();
    }

    @Test
    void loopsThatServedNothingCloseAndMakeNoGroupAfterwards() {
        HttpLoops loops = new HttpLoops("test-lazy", 1);
        loops.onClient(true);
        loops.close();

        assertThat(loops.isDisposed()).isTrue();
        assertThatThrownBy(() -> loops.onServer(true)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("disposed");
        assertThat(loops.groupsMade()).isEqualTo(1);
    }
}
