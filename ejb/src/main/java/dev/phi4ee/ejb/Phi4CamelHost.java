package dev.phi4ee.ejb;

import dev.phi4ee.core.api.Phi4Engine;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.concurrent.ThreadFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Camel context inside the application: its registry holds the shared engine (so every {@code phi4:}
 * endpoint autowires it), and its routes are the deployment's CDI beans of type {@link RoutesBuilder} (put a
 * {@code RouteBuilder} bean in any bean archive of the EAR). Camel's thread pools use the server's managed threads.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
// Start-up opens the engine (loading a model can outlast any transaction timeout) and Camel needs no transaction.
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class Phi4CamelHost {

    /** Name of the engine in the Camel registry, for {@code phi4:generate?engine=#phi4Engine}. */
    public static final String ENGINE_BEAN = "phi4Engine";

    private static final Logger LOG = LoggerFactory.getLogger(Phi4CamelHost.class);

    @Inject
    Phi4Engine engine;

    @Inject
    @Any
    Instance<RoutesBuilder> routes;

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threads;

    private volatile CamelContext camel;

    @PostConstruct
    void start() {
        DefaultCamelContext context = newContext(engine, threads);
        try {
            int count = 0;
            for (RoutesBuilder builder : routes) {
                context.addRoutes(builder);
                count++;
            }
            context.start();
            int routeBuilders = count;
            LOG.atInfo().log(() -> "phi4: Camel context started with "
                    + context.getRoutes().size() + " routes from " + routeBuilders + " route builders");
        } catch (Exception e) {
            context.stop();
            throw new IllegalStateException("phi4: the Camel context failed to start", e);
        }
        camel = context;
    }

    /** A context (not started) with the engine in its registry and its pools on {@code threads} when given. */
    static DefaultCamelContext newContext(Phi4Engine engine, ThreadFactory threads) {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getCamelContextExtension().setName("phi4");
        // Camel resolves components, languages and type converters through this loader: the deployment's.
        context.setApplicationContextClassLoader(Thread.currentThread().getContextClassLoader());
        if (threads != null) {
            context.getExecutorServiceManager().setThreadPoolFactory(new ManagedCamelThreads(threads));
        }
        context.getRegistry().bind(ENGINE_BEAN, Phi4Engine.class, engine);
        return context;
    }

    /** The running context, e.g. for a {@code ProducerTemplate}. */
    public CamelContext context() {
        return camel;
    }

    @PreDestroy
    void stop() {
        CamelContext context = camel;
        camel = null;
        if (context != null) {
            context.stop();
        }
    }
}
