package dev.phi4ee.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.EngineStats;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.ModelInfo;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.TokenListener;
import java.nio.file.Path;
import java.util.concurrent.Flow;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

class EngineChecksTest {

    /** Reports the model and stats it is given. */
    record StubEngine(EngineStats stats) implements Phi4Engine {
        @Override
        public GenerationHandle stream(GenerationRequest request, TokenListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Flow.Publisher<String> publish(GenerationRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ModelInfo info() {
            return new ModelInfo(Path.of("m"), "phi4mm", 2048, 200064, "cuda:0", "float16", true, false);
        }

        @Override
        public void close() {}
    }

    @Test
    void readinessReportsTheProviderInUseAndFollowsTheDecodeThread() {
        HealthCheckResponse up = new EngineReadinessCheck(() -> new StubEngine(new EngineStats(0, 1, 8, true))).call();
        assertThat(up.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(up.getName()).isEqualTo("phi4-engine");
        assertThat(up.getData()).hasValueSatisfying(d -> assertThat(d)
                .containsEntry("executionProvider", "cuda:0")
                .containsEntry("maxLength", 2048L)
                .containsEntry("audio", false));

        assertThat(new EngineReadinessCheck(() -> new StubEngine(new EngineStats(0, 0, 8, false)))
                        .call()
                        .getStatus())
                .isEqualTo(HealthCheckResponse.Status.DOWN);
    }

    @Test
    void livenessFollowsTheDecodeThreadWithQueueAndBatchAsData() {
        HealthCheckResponse live = new EngineLivenessCheck(() -> new StubEngine(new EngineStats(3, 2, 8, true))).call();
        assertThat(live.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(live.getData()).hasValueSatisfying(d -> assertThat(d)
                .containsEntry("queuedRequests", 3L)
                .containsEntry("runningRequests", 2L)
                .containsEntry("batchSlots", 8L));

        HealthCheckResponse dead =
                new EngineLivenessCheck(() -> new StubEngine(new EngineStats(0, 0, 8, false))).call();
        assertThat(dead.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    }

    @Test
    void anEngineThatCannotBeFoundIsDownWithTheReason() {
        HealthCheckResponse r = new EngineLivenessCheck(() -> {
                    throw new IllegalStateException("no Phi4Engine bean visible");
                })
                .call();
        assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(r.getData()).hasValueSatisfying(d -> assertThat(String.valueOf(d.get("reason")))
                .contains("no Phi4Engine bean visible"));
    }
}
