package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.Phi4Exception;
import dev.phi4ee.core.generate.kv.MemoryProbe;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.ort.Tensor;
import dev.phi4ee.core.testkit.TestMedia;
import dev.phi4ee.core.testkit.TestModelSpec;
import dev.phi4ee.core.vision.ImagePreprocessor;
import java.awt.Color;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * Memory over many mixed requests through the whole engine (continuous batching, slot pool, prompt stage with the
 * vision and speech graphs, image and audio buffers): text, PNG images, PDFs, audio at 16 and 44.1 kHz,
 * cancellations and deadlines at decode steps the test picks, and invalid inputs of every kind. Requests go in waves
 * of {@value #WAVE}; after each wave (nothing running) the test samples the process's resident memory, the JVM's
 * direct buffers (less what the image preprocessor parks for reuse, a cache bounded by its pool size) and the
 * engine's native tensors ({@link Tensor#nativeBytes()}). ONNX Runtime's own allocations (its arenas, the values it
 * returns) are not countable through its API from Java; they are inside the resident memory.
 *
 * <p>After a warm-up of a fifth of the requests every measure must stay flat: its growth per request (least-squares
 * slope) must stay under half of a leak of {@value #LEAK_BYTES} bytes per request. Resident memory includes the Java
 * heap, which the collector may grow; it is measured as resident minus the JVM's committed heap and non-heap memory,
 * so a growing heap is not taken for a native leak (the raw figures are printed).
 *
 * <p>The long run: {@code -Dphi4ee.soak.requests=10000} (see docs/soak.md).
 */
class EngineSoakTest {
    static final int WAVE = 25;
    static final long LEAK_BYTES = 100_000;
    static final int REQUESTS = Integer.getInteger("phi4ee.soak.requests", 1000);

    static final TestModelSpec SPEC = KitModels.spec()
            .maxLength(1024)
            .includeVision(true)
            .includeSpeech(true)
            .build();

    enum Kind {
        TEXT,
        IMAGE,
        PDF,
        AUDIO,
        AUDIO_44K,
        CANCEL,
        DEADLINE,
        CANCEL_QUEUED,
        INVALID
    }

    record Sample(int requests, long rss, long jvmCommitted, long direct, long pooled, long tensors, long prefixes) {
        /** Resident memory not accounted for by the JVM's heap and non-heap pools. */
        long nativeRss() {
            return rss - jvmCommitted;
        }

        /** Direct buffers in use outside the image preprocessor's bounded reuse pool. */
        long directOutsidePool() {
            return direct - pooled;
        }
    }

    /** The prefix cache's bound: filled within the warm-up (each prompt stores about 70 KB of blocks). */
    private static final long PREFIX_CACHE_BYTES = 4L << 20;

    private final ManualDeadlineClock clock = new ManualDeadlineClock();
    private final Map<GenerationRequest, TokenChooser> hooks = Collections.synchronizedMap(new IdentityHashMap<>());

    @Test
    void memoryStaysFlatOverMixedRequests() throws Exception {
        ModelDirectory dir = ModelDirectory.open(KitModels.dir(SPEC));
        List<Sample> samples = new ArrayList<>();
        int[] finished = new int[FinishReason.values().length];
        int rejected = 0;
        SplittableRandom r = new SplittableRandom(2026);
        long started = System.nanoTime();
        try (OnnxPhi4Engine engine = OnnxPhi4Engine.open(
                dir,
                EngineOptions.builder()
                        .executionProvider("cpu")
                        .intraOpThreads(1)
                        .maxBatchSize(4)
                        .maxQueuedRequests(2 * WAVE)
                        // small enough to fill during the warm-up: after it every stored block evicts one, so a
                        // block that is not freed on eviction shows as growth
                        .prefixCacheBytes(PREFIX_CACHE_BYTES)
                        .build(),
                Phi4TextCodec.load(dir),
                request -> {
                    TokenChooser hook = hooks.remove(request);
                    return hook != null ? hook : OnnxPhi4Engine.greedy();
                },
                Placement.Kind.AUTO,
                MemoryProbe.system(),
                clock)) {
            samples.add(sample(0, engine));
            for (int done = 0; done < REQUESTS; done += WAVE) {
                List<CompletableFuture<GenerationResult>> wave = new ArrayList<>();
                for (int i = 0; i < WAVE; i++) {
                    try {
                        wave.add(submit(engine, r));
                    } catch (Phi4Exception e) {
                        rejected++; // invalid input refused at submission, as it should be
                    }
                }
                for (CompletableFuture<GenerationResult> f : wave) {
                    try {
                        finished[f.get(120, TimeUnit.SECONDS).finishReason().ordinal()]++;
                    } catch (ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOf(Phi4Exception.class);
                        rejected++;
                    }
                }
                samples.add(sample(done + WAVE, engine));
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                / 1e9;
        System.out.printf(
                "soak: %d requests in %.1f s (JVM CPU time so far %.1f s); finished %s, rejected %d%n",
                REQUESTS, seconds, cpu, Arrays.toString(finished), rejected);
        for (Sample s : samples) {
            System.out.printf(
                    "soak %5d: rss %4d MB (jvm committed %4d MB, native rss %4d MB), direct %4d MB (image pool %3d"
                            + " MB), native tensors %4d MB (prefix cache %3d MB)%n",
                    s.requests(),
                    s.rss() >> 20,
                    s.jvmCommitted() >> 20,
                    s.nativeRss() >> 20,
                    s.direct() >> 20,
                    s.pooled() >> 20,
                    s.tensors() >> 20,
                    s.prefixes() >> 20);
        }
        assertThat(finished[FinishReason.CANCELLED.ordinal()]).as("cancelled").isPositive();
        assertThat(finished[FinishReason.DEADLINE.ordinal()]).as("expired").isPositive();
        assertThat(rejected).as("invalid inputs rejected").isPositive();
        assertThat(samples.get(samples.size() - 1).pooled()).isLessThanOrEqualTo(ImagePreprocessor.DEFAULT_POOL_BYTES);
        assertFlat(samples, "native rss", Sample::nativeRss);
        assertFlat(samples, "direct buffers outside the image pool", Sample::directOutsidePool);
        assertThat(samples.get(samples.size() - 1).prefixes()).isPositive().isLessThanOrEqualTo(PREFIX_CACHE_BYTES);
        assertFlat(samples, "native tensors", Sample::tensors);
    }

    /**
     * The least-squares slope of {@code f} over the samples after the warm-up, in bytes per request, must stay under
     * half of {@link #LEAK_BYTES}. The fit uses every sample, so a sample's noise (allocator caches, the collector's
     * timing) weighs 1/n; with 1,000 requests (32 samples) ±20 MB of scatter moves the slope by about 10 KB per
     * request, a leak of 100 KB per request moves it by 100 KB.
     */
    private static void assertFlat(List<Sample> samples, String what, ToLongFunction<Sample> f) {
        List<Sample> measured = samples.subList(samples.size() / 5, samples.size());
        double mx = measured.stream().mapToDouble(Sample::requests).average().orElseThrow();
        double my = measured.stream().mapToDouble(f::applyAsLong).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        for (Sample s : measured) {
            sxy += (s.requests() - mx) * (f.applyAsLong(s) - my);
            sxx += (s.requests() - mx) * (s.requests() - mx);
        }
        double slope = sxy / sxx;
        long span =
                measured.get(measured.size() - 1).requests() - measured.get(0).requests();
        System.out.printf(
                "soak: %s: %+.1f KB per request over the %d requests after warm-up (bound %d KB)%n",
                what, slope / 1024, span, LEAK_BYTES / 2 / 1024);
        assertThat(slope).as("%s growth per request after warm-up, bytes", what).isLessThan(LEAK_BYTES / 2.0);
    }

    private CompletableFuture<GenerationResult> submit(OnnxPhi4Engine engine, SplittableRandom r) {
        int pick = r.nextInt(100);
        Kind kind = pick < 35
                ? Kind.TEXT
                : pick < 47
                        ? Kind.IMAGE
                        : pick < 51
                                ? Kind.PDF
                                : pick < 61
                                        ? Kind.AUDIO
                                        : pick < 66
                                                ? Kind.AUDIO_44K
                                                : pick < 74
                                                        ? Kind.CANCEL
                                                        : pick < 80
                                                                ? Kind.DEADLINE
                                                                : pick < 85 ? Kind.CANCEL_QUEUED : Kind.INVALID;
        int maxNew = 2 + r.nextInt(8);
        GenerationRequest.Builder b = GenerationRequest.builder();
        String text = "Soak request " + r.nextInt(1000) + " " + "word ".repeat(r.nextInt(40));
        Duration timeout = null;
        switch (kind) {
            case IMAGE -> b.image(MultimodalPipelineTest.png(40 + r.nextInt(300), 30 + r.nextInt(200), Color.BLUE));
            case PDF -> b.image(new Media(TestMedia.pdf(), null, "page.pdf"));
            case AUDIO -> b.audio(MultimodalPipelineTest.wav(0.1 + 0.1 * r.nextInt(5), 200 + r.nextInt(800)));
            case AUDIO_44K -> b.audio(new Media(TestMedia.wav(44100, 0.1 + 0.1 * r.nextInt(3), 440), null, "a.wav"));
            case INVALID -> {
                switch (r.nextInt(5)) {
                    case 0 -> b.image(new Media(corruptPng(r), null, "corrupt.png"));
                    case 1 -> b.audio(new Media(Arrays.copyOf(TestMedia.wav(16000, 0.2, 300), 30), null, "cut.wav"));
                    case 2 -> b.image(new Media("not an image".getBytes(), null, "note.txt"));
                    case 3 -> b.image(new Media(TestMedia.wav(16000, 0.1, 300), null, "sound-as-image.wav"));
                    default -> maxNew = SPEC.maxLength(); // prompt + maxNew exceeds the window
                }
            }
            case DEADLINE -> timeout = Duration.ofMillis(50);
            default -> {}
        }
        GenerationRequest request = b.user(text)
                .options(GenerationOptions.builder()
                        .maxNewTokens(maxNew)
                        .timeout(timeout)
                        .build())
                .build();
        int abortAt = r.nextInt(maxNew - 1); // a token before the last, so the abort lands before the request ends
        CompletableFuture<GenerationHandle> handle = new CompletableFuture<>();
        if (kind == Kind.CANCEL || kind == Kind.DEADLINE) {
            Duration expire = timeout;
            hooks.put(request, (logits, generated) -> {
                if (generated == abortAt) {
                    if (expire != null) {
                        clock.advance(expire.plusMillis(1));
                    } else {
                        handle.join().cancel();
                    }
                }
                return TokenChooser.argmax(logits);
            });
        }
        GenerationHandle h;
        try {
            h = engine.stream(request, d -> {});
        } catch (RuntimeException e) {
            hooks.remove(request);
            throw e;
        }
        handle.complete(h);
        if (kind == Kind.CANCEL_QUEUED) {
            h.cancel(); // queued or just admitted: either way it ends CANCELLED and frees what it took
        }
        return h.result();
    }

    private static byte[] corruptPng(SplittableRandom r) {
        byte[] png = MultimodalPipelineTest.png(64, 48, Color.RED).data();
        for (int i = 40; i < png.length; i += 7) {
            png[i] = (byte) r.nextInt(256);
        }
        return png;
    }

    private static Sample sample(int requests, OnnxPhi4Engine engine) throws IOException, InterruptedException {
        System.gc();
        Thread.sleep(50); // direct buffers are freed by their cleaners after the collection
        System.gc();
        Pointer.trimMemory(); // malloc_trim: freed C heap goes back to the system, so RSS shows what is held
        long committed = ManagementFactory.getMemoryMXBean()
                        .getHeapMemoryUsage()
                        .getCommitted()
                + ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getCommitted();
        long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct"))
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
        return new Sample(
                requests,
                rssBytes(),
                committed,
                direct,
                engine.pooledImageBytes(),
                Tensor.nativeBytes(),
                engine.prefixCacheBytes());
    }

    /** VmRSS of /proc/self/status (Linux), in bytes. */
    static long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
