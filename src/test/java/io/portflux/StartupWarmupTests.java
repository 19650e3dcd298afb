package io.portflux;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** StartupWarmupTests check that every warm-up step still finds what it warms: a renamed class fails here. */
class StartupWarmupTests {

    @Test
    void everyStepRunsToItsEnd() {
        assertThat(StartupWarmup.run()).isEmpty();
    }
}
