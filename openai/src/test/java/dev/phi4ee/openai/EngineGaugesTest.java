package dev.phi4ee.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.EngineStats;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.ModelInfo;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.TokenListener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** The engine's own state in the meters: queue depth, running batch size, free slots. */
class EngineGaugesTest {

    /** An engine that only reports the stats it is given. */
    static final class StatsEngine implements Phi4Engine {
        volatile EngineStats stats;

        StatsEngine(EngineStats stats) {
            this.stats = stats;
        }

        @Override
        public EngineStats stats() {
            return stats;
        }

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
            return new ModelInfo(Path.of("kit"), "phi4mm", 2048, 200064, "cpu", "float32", true, true);
        }

        @Override
        public void close() {}
    }

    @Test
    void gaugesReadTheEngineAtEachScrapeAndAreNaNWithoutOne() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EngineHolder engines = new EngineHolder();
        new ApiMetrics(registry, engines);

        assertThat(gauge(registry, "phi4.queue.depth")).isNaN();
        assertThat(gauge(registry, "phi4.batch.running")).isNaN();

        StatsEngine engine = new StatsEngine(new EngineStats(5, 3, 4, true));
        engines.set(engine);
        assertThat(gauge(registry, "phi4.queue.depth")).isEqualTo(5);
        assertThat(gauge(registry, "phi4.batch.running")).isEqualTo(3);
        assertThat(gauge(registry, "phi4.batch.free.slots")).isEqualTo(1);

        engine.stats = new EngineStats(0, 4, 4, true);
        assertThat(gauge(registry, "phi4.queue.depth")).isZero();
        assertThat(gauge(registry, "phi4.batch.free.slots")).isZero();
    }

    private static double gauge(SimpleMeterRegistry registry, String name) {
        return registry.get(name).gauge().value();
    }
}
