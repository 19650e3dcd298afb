package io.portflux.store.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StoreUrlsTests {

    @Test
    void theEmbeddedStoreIsAnH2FileInPostgreSqlModeUnderTheGivenDirectory() {
        assertThat(StoreUrls.embedded("./data"))
                .isEqualTo("r2dbc:h2:file:///./data/portflux?MODE=PostgreSQL&DB_CLOSE_ON_EXIT=FALSE&CACHE_SIZE=8192");
        // H2 refuses paths that are only implicitly relative.
        assertThat(StoreUrls.embedded("var/portflux/")).startsWith("r2dbc:h2:file:///./var/portflux/portflux?");
        assertThat(StoreUrls.embedded("/var/lib/portflux")).startsWith("r2dbc:h2:file:////var/lib/portflux/portflux?");
    }

    @Test
    void anH2UrlKeepsItsOwnOptionsAndGetsTheMissingOnes() {
        assertThat(StoreUrls.withH2Options("r2dbc:h2:mem:///x?DB_CLOSE_DELAY=-1"))
                .isEqualTo("r2dbc:h2:mem:///x?DB_CLOSE_DELAY=-1&MODE=PostgreSQL&DB_CLOSE_ON_EXIT=FALSE&CACHE_SIZE=8192");
        assertThat(StoreUrls.withH2Options("r2dbc:h2:mem:///x?mode=PostgreSQL&DB_CLOSE_ON_EXIT=TRUE&cache_size=100"))
                .isEqualTo("r2dbc:h2:mem:///x?mode=PostgreSQL&DB_CLOSE_ON_EXIT=TRUE&cache_size=100");
        assertThat(StoreUrls.withH2Options("r2dbc:postgresql://db:5432/portflux")).isEqualTo("r2dbc:postgresql://db:5432/portflux");
    }

    @Test
    void flywaysJdbcUrlIsDerivedFromTheR2dbcUrl() {
        assertThat(StoreUrls.jdbc("r2dbc:postgresql://db.example:5433/portflux?sslMode=require"))
                .isEqualTo("jdbc:postgresql://db.example:5433/portflux?sslMode=require");
        assertThat(StoreUrls.jdbc("r2dbc:pool:postgresql://db/portflux")).isEqualTo("jdbc:postgresql://db/portflux");
        assertThat(StoreUrls.jdbc("r2dbc:postgresql://user@db/portflux")).isEqualTo("jdbc:postgresql://db/portflux");
        assertThat(StoreUrls.jdbc("r2dbc:h2:file:///./data/portflux?MODE=PostgreSQL"))
                .isEqualTo("jdbc:h2:file:./data/portflux;MODE=PostgreSQL");
        assertThat(StoreUrls.jdbc("r2dbc:h2:mem:///t?DB_CLOSE_DELAY=-1")).isEqualTo("jdbc:h2:mem:t;DB_CLOSE_DELAY=-1");
        assertThatThrownBy(() -> StoreUrls.jdbc("r2dbc:mysql://db/x")).hasMessageContaining("spring.r2dbc.url")
                .hasMessageContaining("mysql");
    }
}
