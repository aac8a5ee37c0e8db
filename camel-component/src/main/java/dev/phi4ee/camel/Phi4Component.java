package dev.phi4ee.camel;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.Phi4Engine;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code phi4} component. One engine per JVM: an engine bean bound in the registry is autowired and shared;
 * otherwise the component opens one per {@code modelPath} (and engine options: execution provider, KV cache window and
 * memory budget) and closes it when it stops.
 */
@Component("phi4")
public class Phi4Component extends DefaultComponent {

    @Metadata(description = "Default options of every endpoint created by this component")
    private Phi4Configuration configuration = new Phi4Configuration();

    private final Map<String, Phi4Engine> openedEngines = new ConcurrentHashMap<>();

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        Phi4Endpoint endpoint = new Phi4Endpoint(uri, this, remaining, configuration.copy());
        setProperties(endpoint, parameters);
        return endpoint;
    }

    public Phi4Configuration getConfiguration() {
        return configuration;
    }

    public void setConfiguration(Phi4Configuration configuration) {
        this.configuration = configuration;
    }

    /** The engine an endpoint uses: its own, else the component's, else one this component opens and owns. */
    Phi4Engine resolveEngine(Phi4Configuration endpointConfiguration) {
        if (endpointConfiguration.getEngine() != null) {
            return endpointConfiguration.getEngine();
        }
        if (configuration.getEngine() != null) {
            return configuration.getEngine();
        }
        String modelPath = endpointConfiguration.getModelPath();
        if (modelPath == null || modelPath.isBlank()) {
            throw new IllegalStateException("phi4: no engine: bind one Phi4Engine in the registry, set the engine"
                    + " option, or set modelPath to a model directory");
        }
        EngineOptions options = endpointConfiguration.engineOptions();
        return openedEngines.computeIfAbsent(
                modelPath + '|' + options, key -> Phi4Engine.open(Path.of(modelPath), options));
    }

    @Override
    protected void doStop() throws Exception {
        for (Phi4Engine engine : openedEngines.values()) {
            engine.close();
        }
        openedEngines.clear();
        super.doStop();
    }
}
