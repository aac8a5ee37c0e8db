package dev.phi4ee.samples.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import dev.phi4ee.openai.EngineHolder;
import dev.phi4ee.openai.OpenAiApiConfig;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine's own state through {@code phi4 serve}: queue and batch gauges at {@code /metrics}, and liveness that
 * follows the engine's decode thread (a closed engine's thread has ended: DOWN).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EngineProbesTest {

    @Test
    void gaugesShowTheIdleEngineAndLivenessFollowsItsDecodeThread() throws Exception {
        Phi4Engine engine = Phi4Engine.open(
                Phi4TestModels.shared(TestModelSpec.defaults()),
                EngineOptions.builder()
                        .executionProvider("cpu")
                        .intraOpThreads(1)
                        .maxBatchSize(3)
                        .build());
        try (ApiServer server = ApiServer.start("127.0.0.1", 0, OpenAiApiConfig.defaults(), EngineHolder.of(engine))) {
            int slots = engine.stats().batchSlots();
            assertThat(slots).isPositive();
            String scrape = MetricsEndpointTest.scrape(server);
            assertThat(MetricsEndpointTest.value(scrape, "phi4_queue_depth")).isZero();
            assertThat(MetricsEndpointTest.value(scrape, "phi4_batch_running")).isZero();
            assertThat(MetricsEndpointTest.value(scrape, "phi4_batch_free_slots"))
                    .isEqualTo(slots);
            assertThat(ErrorStatusTest.send(server, "/health/live", null).statusCode())
                    .isEqualTo(200);

            engine.close();

            HttpResponse<String> live = ErrorStatusTest.send(server, "/health/live", null);
            assertThat(live.statusCode()).isEqualTo(503);
            assertThat(ErrorStatusTest.JSON
                            .readTree(live.body())
                            .at("/checks/0/data/reason")
                            .asText())
                    .contains("decode thread");
        } finally {
            engine.close();
        }
    }
}
