package dev.phi4ee.cdi;

import dev.phi4ee.core.api.Phi4Engine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

/**
 * The application's one {@link Phi4Engine} in any CDI runtime: opened when the application starts (a wrong model path
 * fails the start, not the first request), injected everywhere as the same instance, closed when the container shuts
 * down. Settings: {@link Phi4Settings}. A Jakarta EE deployment using phi4-ejb has its own producer and does not add
 * this module.
 */
@ApplicationScoped
public class Phi4EngineProducer {

    @Produces
    @ApplicationScoped
    Phi4Engine openEngine() {
        Phi4Settings settings = Phi4Settings.fromEnvironment();
        return Phi4Engine.open(settings.modelPath(), settings.engineOptions());
    }

    void closeEngine(@Disposes Phi4Engine engine) {
        engine.close();
    }

    /** Touches the engine once the container is up, so that opening it happens, and fails, at startup. */
    void openAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started, Phi4Engine engine) {
        engine.info();
    }
}
