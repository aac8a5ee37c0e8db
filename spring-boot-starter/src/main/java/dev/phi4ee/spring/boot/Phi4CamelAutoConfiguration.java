package dev.phi4ee.spring.boot;

import dev.phi4ee.camel.Phi4Component;
import dev.phi4ee.core.api.Phi4Engine;
import org.apache.camel.spi.ComponentCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * With camel-phi4 and camel-spring-boot on the class path: the {@code phi4} component gets the application's
 * {@link Phi4Engine} bean (routes never open a second model) and the {@code camel.component.phi4.*} defaults.
 */
@AutoConfiguration(after = Phi4AutoConfiguration.class)
@ConditionalOnClass(
        value = {Phi4Component.class, ComponentCustomizer.class},
        name = "org.apache.camel.spring.boot.CamelAutoConfiguration")
@EnableConfigurationProperties(Phi4ComponentConfiguration.class)
public class Phi4CamelAutoConfiguration {

    @Bean
    public ComponentCustomizer phi4ComponentCustomizer(
            Phi4ComponentConfiguration configuration, ObjectProvider<Phi4Engine> engine) {
        return ComponentCustomizer.builder(Phi4Component.class)
                .withCondition((name, component) -> configuration.isEnabled())
                .build(component -> {
                    configuration.applyTo(component);
                    if (component.getConfiguration().getEngine() == null) {
                        component.getConfiguration().setEngine(engine.getIfUnique());
                    }
                });
    }
}
