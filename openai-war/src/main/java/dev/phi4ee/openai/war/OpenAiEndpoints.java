package dev.phi4ee.openai.war;

import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.openai.ApiMetrics;
import dev.phi4ee.openai.EngineHolder;
import dev.phi4ee.openai.OpenAiApi;
import dev.phi4ee.openai.OpenAiApiConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's components over the application's one engine (the EJB module's {@code Phi4EngineProducer}, the same
 * instance the service, the message listener and the Camel context use), metered into the server's Micrometer
 * registry when WildFly's {@code micrometer} subsystem provides one.
 */
@ApplicationScoped
public class OpenAiEndpoints {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiEndpoints.class);

    @Inject
    Phi4Engine engine;

    @Inject
    Instance<MeterRegistry> registries;

    private Set<Object> components;

    synchronized Set<Object> components() {
        if (components == null) {
            OpenAiApiConfig config = OpenAiSettings.fromMicroProfileConfig();
            EngineHolder engines = EngineHolder.of(engine);
            ApiMetrics metrics;
            if (registries.isResolvable()) {
                metrics = new ApiMetrics(registries.get(), engines);
            } else {
                metrics = ApiMetrics.none();
                LOG.info("phi4: no Micrometer registry in this server (the micrometer subsystem is not configured);"
                        + " the OpenAI API's meters are not exported");
            }
            LOG.info("phi4: OpenAI-compatible API on the shared engine, {}", config);
            components = OpenAiApi.components(config, engines, metrics);
        }
        return components;
    }
}
