package dev.phi4ee.health;

import dev.phi4ee.core.api.EngineStats;
import dev.phi4ee.core.api.Phi4Engine;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live while the shared engine's decode thread runs (a dead thread leaves every request waiting: restart the server),
 * with the queue and batch as data; served by WildFly at {@code /health/live} on the management interface.
 */
@Liveness
@ApplicationScoped
public class EngineLivenessCheck implements HealthCheck {
    static final String NAME = "phi4-engine-thread";

    private final Supplier<Phi4Engine> engines;

    public EngineLivenessCheck() {
        this(SharedEngine::lookup);
    }

    EngineLivenessCheck(Supplier<Phi4Engine> engines) {
        this.engines = engines;
    }

    @Override
    public HealthCheckResponse call() {
        EngineStats stats;
        try {
            stats = engines.get().stats();
        } catch (RuntimeException e) {
            return EngineReadinessCheck.down(NAME, "no engine: " + e.getMessage());
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("queuedRequests", (long) stats.queuedRequests());
        data.put("runningRequests", (long) stats.runningRequests());
        data.put("batchSlots", (long) stats.batchSlots());
        return new HealthCheckResponse(
                NAME,
                stats.engineThreadAlive() ? HealthCheckResponse.Status.UP : HealthCheckResponse.Status.DOWN,
                Optional.of(data));
    }
}
