package dev.phi4ee.health;

import dev.phi4ee.core.api.ModelInfo;
import dev.phi4ee.core.api.Phi4Engine;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while the shared engine serves (open, its decode thread running), reporting the model and the execution
 * provider actually in use; served by WildFly at {@code /health/ready} on the management interface.
 */
@Readiness
@ApplicationScoped
public class EngineReadinessCheck implements HealthCheck {
    static final String NAME = "phi4-engine";

    private final Supplier<Phi4Engine> engines;

    public EngineReadinessCheck() {
        this(SharedEngine::lookup);
    }

    EngineReadinessCheck(Supplier<Phi4Engine> engines) {
        this.engines = engines;
    }

    @Override
    public HealthCheckResponse call() {
        Phi4Engine engine;
        try {
            engine = engines.get();
        } catch (RuntimeException e) {
            return down(NAME, "no engine: " + e.getMessage());
        }
        ModelInfo info = engine.info();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("modelType", info.modelType());
        data.put("executionProvider", info.executionProvider());
        data.put("maxLength", (long) info.maxLength());
        data.put("images", info.supportsImages());
        data.put("audio", info.supportsAudio());
        return new HealthCheckResponse(
                NAME,
                engine.stats().engineThreadAlive() ? HealthCheckResponse.Status.UP : HealthCheckResponse.Status.DOWN,
                Optional.of(data));
    }

    static HealthCheckResponse down(String name, String reason) {
        return new HealthCheckResponse(
                name, HealthCheckResponse.Status.DOWN, Optional.of(Map.of("reason", String.valueOf(reason))));
    }
}
