package dev.phi4ee.ejb;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.Phi4Engine;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the one engine of the application: opened when the application starts (a wrong model path fails the
 * deployment, not the first request), shared by the service, the message listener and the Camel context, closed on
 * undeploy. Its threads come from the server's {@link ManagedThreadFactory} (Jakarta Concurrency): they carry the
 * application's context and the server sees and manages them.
 */
@ApplicationScoped
public class Phi4EngineProducer {

    private static final Logger LOG = LoggerFactory.getLogger(Phi4EngineProducer.class);
    private static final AtomicInteger OPENED = new AtomicInteger();

    /** The platform's default; point this reference elsewhere in ejb-jar.xml for a dedicated factory. */
    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threads;

    private Phi4Engine engine;

    void openAtStartup(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        engine();
    }

    /** Every injection point receives the same instance; its lifecycle belongs to this bean, not to the caller. */
    @Produces
    public synchronized Phi4Engine engine() {
        if (engine == null) {
            EngineSettings settings = EngineSettings.fromEnvironment();
            Path modelPath = Path.of(settings.modelPath());
            long start = System.nanoTime();
            EngineOptions options = settings.engineOptions().toBuilder()
                    .threadFactory(threads != null ? threads : EngineOptions.DAEMON_THREADS)
                    .build();
            engine = Phi4Engine.open(modelPath, options);
            int opened = OPENED.incrementAndGet();
            LOG.atInfo().log(() -> "phi4: opened " + modelPath + " on "
                    + engine.info().executionProvider() + " in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms (engines opened in this JVM: " + opened + ")"
                    + (threads != null ? ", threads from the managed thread factory" : "")
                    + (engine.info().kvCache() == null
                            ? ""
                            : "; " + engine.info().kvCache().describe()));
        }
        return engine;
    }

    /** Engines opened by this class in this JVM; 1 for a deployment that shares its engine properly. */
    public static int openedEngines() {
        return OPENED.get();
    }

    @PreDestroy
    synchronized void close() {
        if (engine != null) {
            engine.close();
            engine = null;
            LOG.info("phi4: engine closed");
        }
    }
}
