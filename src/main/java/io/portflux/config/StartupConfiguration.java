package io.portflux.config;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * StartupConfiguration removes what Spring Boot would build at every start for a feature PortFlux does not use.
 *
 * <p>Boot's Jackson auto-configuration always defines a {@code JacksonComponentModule}, which at start looks
 * for {@code @JacksonComponent} beans by reading the annotations of every bean in the context: about 0.15 s of
 * the main thread on two cores, out of a 3 s budget for the service to be ready (README, "Footprint"). PortFlux
 * declares no such component; its JSON is configured on the mapper builder. Removing the definition takes the
 * empty module out of the JSON mappers and nothing else. With Spring AOT the removal happens at build time, when
 * the bean definitions are computed.
 */
@Configuration(proxyBeanMethods = false)
public class StartupConfiguration {

    /** The name of the bean Boot's {@code JacksonAutoConfiguration} defines for {@code @JacksonComponent}s. */
    static final String JACKSON_COMPONENT_MODULE = "jsonComponentModule";

    @Bean
    static BeanFactoryPostProcessor withoutJacksonComponentScan() {
        return beanFactory -> {
            if (beanFactory instanceof BeanDefinitionRegistry registry
                    && registry.containsBeanDefinition(JACKSON_COMPONENT_MODULE)) {
                registry.removeBeanDefinition(JACKSON_COMPONENT_MODULE);
            }
        };
    }
}
