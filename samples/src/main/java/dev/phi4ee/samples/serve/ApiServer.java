package dev.phi4ee.samples.serve;

import com.sun.net.httpserver.HttpServer;
import dev.phi4ee.openai.ApiMetrics;
import dev.phi4ee.openai.EngineHolder;
import dev.phi4ee.openai.OpenAiApi;
import dev.phi4ee.openai.OpenAiApiConfig;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.jersey.jdkhttp.JdkHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The OpenAI-compatible resources on Jersey over the JDK's built-in HTTP server, one virtual thread per exchange
 * (a stream holds its thread while the engine decodes), with the API's and the JVM's meters at {@code /metrics}.
 * See docs/decisions/openai-api-server.md.
 */
public final class ApiServer implements AutoCloseable {
    /**
     * Jersey warns that resource instances "do not implement provider interfaces" when registered as instances, which
     * is how resources with constructor arguments are registered; held here so the level setting is not collected.
     */
    private static final Logger PROVIDER_CHECK = Logger.getLogger("org.glassfish.jersey.internal.inject.Providers");

    /**
     * When a streaming client leaves, the stream ends quietly (its generation is cancelled), but the JDK container
     * still warns, with a stack trace, that it cannot close the dead exchange; only that record is dropped.
     */
    private static final Logger CONTAINER = Logger.getLogger("org.glassfish.jersey.jdkhttp.JdkHttpHandlerContainer");

    static {
        PROVIDER_CHECK.setLevel(Level.SEVERE);
        CONTAINER.setFilter(r -> !(r.getThrown() instanceof IOException
                && "headers already sent".equals(r.getThrown().getMessage())));
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final URI baseUri;
    private final PrometheusMeterRegistry registry;

    private ApiServer(HttpServer server, ExecutorService executor, URI baseUri, PrometheusMeterRegistry registry) {
        this.server = server;
        this.executor = executor;
        this.baseUri = baseUri;
        this.registry = registry;
    }

    /** Binds {@code host:port} (port 0 = any free one) and starts serving. */
    public static ApiServer start(String host, int port, OpenAiApiConfig config, EngineHolder engines) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        registry.config().meterFilter(ApiMetrics.conventions());
        ResourceConfig app = new ResourceConfig()
                .registerInstances(OpenAiApi.components(config, engines, new ApiMetrics(registry, engines)))
                .registerInstances(new MetricsResource(registry))
                .property(ServerProperties.WADL_FEATURE_DISABLE, true)
                .property(ServerProperties.OUTBOUND_CONTENT_LENGTH_BUFFER, 0);
        URI requested = URI.create("http://" + hostForUri(host) + ":" + port + "/");
        HttpServer server = JdkHttpServerFactory.createHttpServer(requested, app, false);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.start();
        InetSocketAddress bound = server.getAddress();
        URI base = URI.create("http://" + hostForUri(host) + ":" + bound.getPort() + "/");
        return new ApiServer(server, executor, base, registry);
    }

    /** {@code http://host:port/} as bound. */
    public URI baseUri() {
        return baseUri;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        registry.close();
    }

    private static String hostForUri(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
