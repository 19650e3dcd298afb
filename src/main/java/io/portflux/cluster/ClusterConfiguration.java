package io.portflux.cluster;

import io.portflux.scan.ScanProperties;
import io.portflux.scan.Scanner;
import io.portflux.store.ScanStore;
import io.portflux.store.ShardStore;
import io.portflux.store.StoreProperties;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** ClusterConfiguration wires the shared scans: the decision, the plan codec and this replica's worker. */
@Configuration(proxyBeanMethods = false)
public class ClusterConfiguration {

    @Bean
    PlanCodec planCodec(JsonMapper json) {
        return new PlanCodec(json);
    }

    @Bean(destroyMethod = "close")
    ClusterScans clusterScans(ShardStore shards, Scanner scanner, ClusterProperties properties, PlanCodec codec,
            StoreProperties store, ObjectProvider<Clock> clock) {
        return new ClusterScans(shards, scanner, properties, codec, store.leaseTime(),
                clock.getIfAvailable(Clock::systemUTC));
    }

    @Bean
    ShardWorker shardWorker(ShardStore shards, Scanner scanner, PlanCodec codec, ClusterScans cluster,
            ClusterProperties properties, ScanStore store, ObjectProvider<ShardObserver> observer,
            ObjectProvider<Clock> clock, ScanProperties scan, StoreProperties storeProperties) {
        return new ShardWorker(shards, scanner, codec, cluster, properties, store.signals(),
                observer.getIfAvailable(() -> ShardObserver.NONE), clock.getIfAvailable(Clock::systemUTC),
                scan.progressInterval(), storeProperties.batchSize());
    }
}
