package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.EngineStats;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link dev.phi4ee.core.api.Phi4Engine#stats()} on the kit model in both scheduling modes: the engine thread is held
 * inside the first request's prefill (its token chooser waits on a latch), so the queue and the batch are in a known
 * state when read.
 */
class EngineStatsTest {

    @ParameterizedTest
    @CsvSource({"SHARED_BUFFER, 2, 2", "GROWING, 2, 1"})
    void queuedRunningAndFreeSlotsFollowTheWorkload(KvCacheMode mode, int maxBatch, int slots) throws Exception {
        CountDownLatch inPrefill = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TokenChooser held = (logits, generated) -> {
            inPrefill.countDown();
            await(release);
            return TokenChooser.argmax(logits);
        };
        EngineOptions options = ContinuousBatchingTest.options()
                .kvCacheMode(mode)
                .maxBatchSize(maxBatch)
                .build();
        OnnxPhi4Engine engine = OnnxPhi4Engine.open(
                ModelDirectory.open(KitModels.dir(KitModels.spec().build())),
                options,
                new FakeTextCodec(),
                r -> held,
                Placement.Kind.AUTO);
        try {
            assertThat(engine.stats()).isEqualTo(new EngineStats(0, 0, slots, true));

            List<GenerationHandle> handles = new ArrayList<>();
            handles.add(engine.stream(request("first"), d -> {}));
            assertThat(inPrefill.await(60, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 3; i++) {
                handles.add(engine.stream(request("waiting " + i), d -> {}));
            }

            // The first runs (held in its prefill), the others wait: the engine thread admits nothing while held.
            EngineStats busy = engine.stats();
            assertThat(busy).isEqualTo(new EngineStats(3, 1, slots, true));
            assertThat(busy.freeSlots()).isEqualTo(slots - 1);

            release.countDown();
            for (GenerationHandle h : handles) {
                h.result().get(60, TimeUnit.SECONDS);
            }
            assertThat(eventually(engine, s -> s.runningRequests() == 0)).isEqualTo(new EngineStats(0, 0, slots, true));
        } finally {
            release.countDown();
            engine.close();
        }
        assertThat(engine.stats().engineThreadAlive()).isFalse();
    }

    /** The engine thread publishes the batch size after the step that finished the last request: poll for it. */
    private static EngineStats eventually(OnnxPhi4Engine engine, Predicate<EngineStats> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        EngineStats s = engine.stats();
        while (!condition.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(5);
            s = engine.stats();
        }
        return s;
    }

    private static GenerationRequest request(String text) {
        return GenerationRequest.builder()
                .user(text)
                .options(GenerationOptions.builder().maxNewTokens(3).build())
                .build();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
