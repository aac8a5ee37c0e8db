package dev.phi4ee.benchmarks;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.core.generate.OnnxPhi4Engine;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Issue 15's time between tokens while a long image prompt is admitted: {@code streams} requests (default 4) of 150
 * tokens decode on the kit model (fp32, vision, one intra-op thread; {@code prefixCache} bytes, default 0 = off:
 * prompt runs of 512 positions, else of 64); once each has {@code warm} tokens a request with a {@code width}×{@code
 * height} image is submitted (1344×1568: 3,026 prompt tokens). For each {@code prefillChunkTokens} of {@code budgets}
 * (default 0 = whole prompt at admission, 512, 128), one engine each in one JVM: the p50, p99 and max of the gaps
 * between consecutive tokens of all streams, the image request's time to first token, and their ratios to the first
 * budget (medians of {@code rounds}). Also the image request alone on an idle engine against a text prompt of the same
 * length: the difference is the prompt stage that stays one call (vision encoder). Tokens are timed as they stream
 * (text deltas; printed: the share of tokens that streamed text).
 *
 * <pre>./mvnw -o -B -ntp -Pbenchmarks -pl benchmarks -am package -DskipTests
 * java --enable-native-access=ALL-UNNAMED -Dbudgets=0,512,128 -Dstreams=4 -Drounds=5 -Dwidth=1344 -Dheight=1568 \
 *     -cp benchmarks/target/benchmarks.jar dev.phi4ee.benchmarks.ChunkedPrefillProbe</pre>
 */
public final class ChunkedPrefillProbe {
    private ChunkedPrefillProbe() {}

    /** A listener recording when each text delta arrives (on the engine thread; read after the request ended). */
    static final class Times implements TokenListener {
        final List<Long> times = new ArrayList<>();

        @Override
        public synchronized void onText(String delta) {
            times.add(System.nanoTime());
        }
    }

    public static void main(String[] args) throws Exception {
        int[] budgets = Arrays.stream(System.getProperty("budgets", "0,512,128").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        int streams = Integer.getInteger("streams", 4);
        int rounds = Integer.getInteger("rounds", 3);
        int warm = Integer.getInteger("warm", 8);
        int width = Integer.getInteger("width", 1344);
        int height = Integer.getInteger("height", 1344);
        long prefixCache = Long.getLong("prefixCache", 0);
        Path dir = Files.createTempDirectory("phi4-chunked-prefill-probe-");
        Phi4TestModels.write(
                dir,
                TestModelSpec.builder()
                        .contextLength(8192)
                        .maxLength(4096)
                        .originalMaxPositionEmbeddings(4096)
                        .includeVision(true)
                        .includeSpeech(false)
                        .build());
        Media image = image(width, height, 0);
        EngineOptions.Builder options = EngineOptions.builder()
                .executionProvider("cpu")
                .intraOpThreads(1)
                .kvCacheMode(KvCacheMode.SHARED_BUFFER)
                .kvCacheBytes(1L << 30)
                .maxLength(4096)
                .maxBatchSize(streams + 1)
                .prefixCacheBytes(prefixCache);
        stageCost(dir, options, image);
        List<List<double[]>> perBudget = new ArrayList<>();
        for (int budget : budgets) {
            List<double[]> results = new ArrayList<>();
            try (Phi4Engine engine =
                    OnnxPhi4Engine.open(dir, options.prefillChunkTokens(budget).build())) {
                round(engine, streams, warm, width, height); // warm-up
                for (int r = 0; r < rounds; r++) {
                    results.add(round(engine, streams, warm, width, height));
                }
            }
            perBudget.add(results);
        }
        double[] base = medians(perBudget.get(0));
        for (int b = 0; b < budgets.length; b++) {
            double[] m = medians(perBudget.get(b));
            System.out.printf(
                    "prefillChunkTokens %d: %d streams, time between tokens p50 %.1f / p99 %.1f"
                            + " / max %.1f ms (vs %d: %.2f / %.2f / %.2f); image request time to first token %.1f ms"
                            + " (%.2f); medians of %d rounds; %.0f %% of the tokens streamed text%n",
                    budgets[b],
                    streams,
                    m[0],
                    m[1],
                    m[2],
                    budgets[0],
                    m[0] / base[0],
                    m[1] / base[1],
                    m[2] / base[2],
                    m[3],
                    m[3] / base[3],
                    rounds,
                    100 * m[4]);
        }
    }

    /**
     * One round: {@code streams} requests of {@code STREAM_TOKENS} tokens decode, the image request arrives once each
     * has {@code warm}; returns the p50, p99 and max of the gaps between consecutive tokens of every stream (first
     * token excluded), the image request's time to first token, and the share of the streams' tokens that streamed
     * text.
     */
    static double[] round(Phi4Engine engine, int streams, int warm, int width, int height) throws Exception {
        Media image = image(width, height, ++images); // never seen before: no prefix reuse even with the cache on
        List<Times> runners = new ArrayList<>();
        List<GenerationHandle> handles = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            GenerationRequest r = GenerationRequest.builder()
                    .user("Stream " + i + ": tell a long story about the harbour and its ships.")
                    .options(GenerationOptions.builder()
                            .maxNewTokens(STREAM_TOKENS)
                            .minNewTokens(STREAM_TOKENS)
                            .build())
                    .build();
            Times t = new Times();
            runners.add(t);
            handles.add(engine.stream(r, t));
        }
        while (runners.stream().anyMatch(t -> count(t) < warm)) {
            Thread.sleep(1);
        }
        GenerationResult first =
                engine.stream(imageRequest(image), d -> {}).result().get(10, TimeUnit.MINUTES);
        long generated = 0;
        long streamed = 0;
        List<Double> gaps = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            generated +=
                    handles.get(i).result().get(10, TimeUnit.MINUTES).tokenIds().size();
            List<Long> t = runners.get(i).times;
            streamed += t.size();
            for (int k = 1; k < t.size(); k++) {
                gaps.add((t.get(k) - t.get(k - 1)) / 1e6);
            }
        }
        double[] g = gaps.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new double[] {
            percentile(g, 0.50),
            percentile(g, 0.99),
            g[g.length - 1],
            first.timings().timeToFirstToken().toNanos() / 1e6,
            (double) streamed / generated
        };
    }

    /** Tokens of each running stream: the image prompt's prefill lies well inside them. */
    static final int STREAM_TOKENS = 150;

    private static int count(Times t) {
        synchronized (t) {
            return t.times.size();
        }
    }

    /** The image request alone vs a text prompt of the same length alone (budget 0, idle engine): the prompt stage. */
    static void stageCost(Path dir, EngineOptions.Builder options, Media image) {
        try (Phi4Engine engine =
                OnnxPhi4Engine.open(dir, options.prefillChunkTokens(0).build())) {
            GenerationResult withImage = null;
            GenerationResult text = null;
            List<Double> diffs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                withImage = engine.generate(imageRequest(image));
                int tokens = withImage.usage().promptTokens();
                text = engine.generate(GenerationRequest.builder()
                        .user("word ".repeat(tokens))
                        .options(GenerationOptions.builder().maxNewTokens(1).build())
                        .build());
                if (i > 0) { // the first is the warm-up
                    diffs.add((withImage.timings().timeToFirstToken().toNanos()
                                    - text.timings().timeToFirstToken().toNanos())
                            / 1e6);
                }
            }
            System.out.printf(
                    "image request alone: %d prompt tokens (%d image), time to first token %.1f ms; a text prompt of"
                            + " %d tokens %.1f ms; the image's encoder stage (one call) ≈ %.1f ms (median of 3)%n",
                    withImage.usage().promptTokens(),
                    withImage.usage().imageTokens(),
                    withImage.timings().timeToFirstToken().toNanos() / 1e6,
                    text.usage().promptTokens(),
                    text.timings().timeToFirstToken().toNanos() / 1e6,
                    median(diffs));
        }
    }

    static GenerationRequest imageRequest(Media image) {
        return GenerationRequest.builder()
                .image(image)
                .user("What does the picture show?")
                .options(GenerationOptions.builder().maxNewTokens(4).build())
                .build();
    }

    private static int images;

    static Media image(int width, int height, int seed) throws Exception {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(seed * 7919 & 0xffffff), width, height, Color.BLUE));
        g.fillRect(0, 0, width, height);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return new Media(out.toByteArray(), null, "probe.png");
    }

    static double percentile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static double[] medians(List<double[]> rounds) {
        double[] m = new double[rounds.get(0).length];
        for (int k = 0; k < m.length; k++) {
            List<Double> v = new ArrayList<>();
            for (double[] r : rounds) {
                v.add(r[k]);
            }
            m[k] = median(v);
        }
        return m;
    }
}
