package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.ContextLengthExceededException;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.MediaTooLargeException;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.awt.Color;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Per-request limits checked before the expensive step they protect. The media are cut after their header: decoding
 * them would fail with a corrupt-data error, so the limit's own error proves it was checked from the header first.
 */
class RequestLimitsTest {
    static final TestModelSpec VISION =
            KitModels.spec().maxLength(1024).includeVision(true).build();

    private static Phi4Engine open(UnaryOperator<EngineOptions.Builder> limits) {
        return Phi4Engine.open(
                KitModels.dir(VISION),
                limits.apply(MultimodalPipelineTest.options().toBuilder()).build());
    }

    /** A PNG's signature and IHDR chunk only (its size), no pixel data. */
    private static Media headerOnly(int w, int h) {
        byte[] png = MultimodalPipelineTest.png(w, h, Color.RED).data();
        return new Media(Arrays.copyOf(png, 33 + 64), null, w + "x" + h + ".png");
    }

    private static GenerationRequest request(List<Media> images, int maxNewTokens) {
        GenerationRequest.Builder b = GenerationRequest.builder()
                .options(GenerationOptions.builder().maxNewTokens(maxNewTokens).build());
        images.forEach(b::image);
        return b.user("What is this?").build();
    }

    @Test
    void mediaBytesAreLimitedBeforeAnythingIsParsed() {
        Media garbage = new Media(new byte[5000], null, "noise.bin");
        try (Phi4Engine engine = open(b -> b.maxMediaBytes(8000))) {
            assertThatThrownBy(() -> engine.generate(request(List.of(garbage, garbage), 4)))
                    .isInstanceOf(MediaTooLargeException.class)
                    .hasMessageContaining("maxMediaBytes 8000")
                    .hasMessageContaining("10000 bytes");
        }
    }

    @Test
    void imagesAndPixelsPerRequestAreLimitedFromHeaders() {
        try (Phi4Engine engine = open(b -> b.maxImagesPerRequest(2).maxPixelsPerRequest(150_000))) {
            assertThatThrownBy(() -> engine.generate(
                            request(List.of(headerOnly(50, 50), headerOnly(50, 50), headerOnly(50, 50)), 4)))
                    .isInstanceOf(MediaTooLargeException.class)
                    .hasMessageContaining("maxImagesPerRequest");
            assertThatThrownBy(() -> engine.generate(request(List.of(headerOnly(300, 300), headerOnly(300, 300)), 4)))
                    .isInstanceOf(MediaTooLargeException.class)
                    .hasMessageContaining("maxPixelsPerRequest");
        }
    }

    @Test
    void contextIsCheckedFromImageHeadersBeforeDecoding() {
        try (Phi4Engine engine = open(b -> b)) {
            // A 2000 × 2000 image plans many crops, hundreds of tokens each: more than the 1024-token window.
            assertThatThrownBy(() -> engine.generate(request(List.of(headerOnly(2000, 2000)), 4)))
                    .isInstanceOf(ContextLengthExceededException.class);
        }
    }

    @Test
    void contextIsCheckedFromAudioHeadersBeforeDecoding() {
        // 100 s at 16 kHz is 1250 audio tokens (§8.9), over the 1024-token window; the data after the header is cut,
        // so decoding would fail as a truncated WAV: the context error proves the header count came first.
        Media wav = MultimodalPipelineTest.wav(100, 300);
        Media header = new Media(Arrays.copyOf(wav.data(), 44 + 64), null, "long.wav");
        TestModelSpec speech =
                KitModels.spec().maxLength(1024).includeSpeech(true).build();
        try (Phi4Engine engine = Phi4Engine.open(KitModels.dir(speech), MultimodalPipelineTest.options())) {
            assertThatThrownBy(() -> engine.generate(GenerationRequest.builder()
                            .options(GenerationOptions.builder().maxNewTokens(4).build())
                            .audio(header)
                            .user("Transcribe.")
                            .build()))
                    .isInstanceOf(ContextLengthExceededException.class);
        }
    }

    @Test
    void theWaitingQueueIsBoundedInTokens() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (OnnxPhi4Engine engine = ContinuousBatchingTest.open(
                KitModels.spec().build(),
                ContinuousBatchingTest.options()
                        .maxBatchSize(1)
                        .maxQueuedTokens(60)
                        .build())) {
            GenerationRequest small = GenerationRequest.builder()
                    .user("0123456789")
                    .options(GenerationOptions.builder().maxNewTokens(20).build())
                    .build(); // 10 chars + 4 ids + 20 new = 34 tokens
            GenerationHandle running = engine.stream(small, delta -> {
                try {
                    release.await(60, TimeUnit.SECONDS); // holds the engine thread: the next ones wait in the queue
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                waitUntilStarted(engine);
                GenerationHandle queued = engine.stream(small, delta -> {});
                assertThatThrownBy(() -> engine.stream(small, delta -> {}))
                        .isInstanceOf(EngineOverloadedException.class)
                        .hasMessageContaining("maxQueuedTokens 60");
                release.countDown();
                assertThat(queued.result().get(60, TimeUnit.SECONDS).usage().generatedTokens())
                        .isPositive();
                assertThat(running.result().get(60, TimeUnit.SECONDS)).isNotNull();
            } finally {
                release.countDown();
            }
        }
    }

    private static void waitUntilStarted(OnnxPhi4Engine engine) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (engine.batcher().queued() > 0 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(engine.batcher().queued()).isZero();
    }
}
