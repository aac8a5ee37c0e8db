package dev.phi4ee.camel;

import dev.phi4ee.core.api.Phi4Engine;
import org.apache.camel.AsyncEndpoint;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/** The phi4:generate endpoint: sends the exchange to Phi-4-multimodal and replaces the body with the text. */
@UriEndpoint(
        firstVersion = "0.1.0",
        scheme = "phi4",
        title = "Phi-4 Multimodal",
        syntax = "phi4:operation",
        category = {Category.AI},
        headersClass = Phi4Constants.class,
        producerOnly = true)
public class Phi4Endpoint extends DefaultEndpoint implements AsyncEndpoint {

    @UriPath(enums = "generate", description = "The operation; generate is the only one.")
    @Metadata(required = true)
    private final String operation;

    @UriParam
    private final Phi4Configuration configuration;

    private Phi4Engine engine;

    Phi4Endpoint(String uri, Phi4Component component, String operation, Phi4Configuration configuration) {
        super(uri, component);
        if (!"generate".equals(operation)) {
            throw new IllegalArgumentException("phi4: unknown operation '" + operation + "', expected phi4:generate");
        }
        this.operation = operation;
        this.configuration = configuration;
    }

    @Override
    public Phi4Component getComponent() {
        return (Phi4Component) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        return new Phi4Producer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("phi4: is a producer-only component");
    }

    public String getOperation() {
        return operation;
    }

    public Phi4Configuration getConfiguration() {
        return configuration;
    }

    /** The engine, resolved once when the endpoint starts. */
    Phi4Engine engine() {
        return engine;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        engine = getComponent().resolveEngine(configuration);
    }
}
