package dev.phi4ee.health;

import dev.phi4ee.core.api.Phi4Engine;
import jakarta.enterprise.inject.spi.CDI;

/**
 * Finds the application's engine when a check runs. The checks live in the EAR's {@code lib/}, the only place where
 * WildFly's MicroProfile Health finds checks of an EAR (checks in sub-deployments are not discovered, WFLY-12835);
 * beans there cannot inject the EJB module's {@code Phi4EngineProducer}, so the engine is looked up through
 * {@link CDI#current()}, which WildFly resolves with the thread's context class loader: a module of the application
 * while a check runs.
 */
final class SharedEngine {
    private SharedEngine() {}

    static Phi4Engine lookup() {
        return CDI.current().select(Phi4Engine.class).get();
    }
}
