package dev.phi4ee.benchmarks;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.generate.OnnxPhi4Engine;
import dev.phi4ee.core.generate.TextCodec;
import dev.phi4ee.core.generate.sampling.TokenHistory;
import dev.phi4ee.core.generate.sampling.TokenSampler;
import dev.phi4ee.core.model.ModelDirectory;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Issue 15's B = 1 gap, fifth round: one request at a time, engine against {@link RawBatchLoop} with the engine's
 * own sampler (the same work), paired per request rather than per round. On the shared 2-core machine the speed of a
 * decoder run drifts by ±15 % within seconds, so {@link BatchPairedProbe}'s rounds of 16 requests per side compare
 * different moments; here each round is {@code -Drepeat} (default 2) requests of each side in alternating order, and
 * many rounds give a median with a bootstrap 95 % interval. Besides wall time it reads each side's thread CPU time
 * ({@code ThreadMXBean}): the engine thread's plus the caller's against the raw loop's thread. Wall above CPU time is
 * time a thread waited (the hand-offs to and from the engine thread, a core taken by another process).
 *
 * <p>Columns: engine/raw as rates (> 1: the engine is faster) of wall time and of CPU time, each median [2.5 %,
 * 97.5 %] of the per-round ratios; the engine's wall time not spent on its thread's CPU (hand-offs, waits), and the
 * raw loop's, per request.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -Drounds=241 -cp benchmarks/target/benchmarks.jar \
 *     dev.phi4ee.benchmarks.SingleRequestPairedProbe [greedy,minNew,penalty,topP]</pre>
 *
 * {@code -DprefixCacheBytes=0} runs the engine without its prefix cache.
 */
public final class SingleRequestPairedProbe {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private SingleRequestPairedProbe() {}

    public static void main(String[] args) throws Exception {
        List<String> configs = List.of((args.length > 0 ? args[0] : "greedy,minNew,penalty,topP").split(","));
        int rounds = Integer.getInteger("rounds", 241);
        int repeat = Integer.getInteger("repeat", 2);
        TextKitModel kit = new TextKitModel("phi4-single-probe-");
        ModelDirectory md = kit.model();
        long[] prompt =
                new Random(15).longs(BatchPairedProbe.PROMPT, 1000, 150_000).toArray();
        EngineOptions options = BatchPairedProbe.engineOptions();
        TextCodec codec = new BatchPairedProbe.PromptCodec(new long[][] {prompt});
        int vocab = md.config().vocabSize();
        boolean againstRaw = "raw".equals(System.getProperty("against", "engine"));
        boolean rawFirst = Boolean.getBoolean("rawFirst");
        int maxLength = md.config().search().maxLength();
        List<AutoCloseable> open = new ArrayList<>();
        try {
            RawBatchLoop raw = null;
            if (rawFirst) {
                raw = keep(open, new RawBatchLoop(md, BatchPairedProbe.SLOTS, maxLength, BatchPairedProbe.PROMPT));
            }
            Side engineSide;
            if (againstRaw) { // A/A: a second raw loop, its own sessions, in the engine's place
                RawBatchLoop other =
                        keep(open, new RawBatchLoop(md, BatchPairedProbe.SLOTS, maxLength, BatchPairedProbe.PROMPT));
                engineSide = config -> rawTokens(other, config, prompt, vocab);
            } else {
                OnnxPhi4Engine engine = keep(open, OnnxPhi4Engine.open(md, options, codec, r -> null));
                engineSide = config -> engine
                        .generate(GenerationRequest.builder()
                                .user("0") // the codec's prompt 0
                                .options(BatchPairedProbe.options(config, 0))
                                .build())
                        .tokenIds()
                        .stream()
                        .mapToInt(Integer::intValue)
                        .toArray();
            }
            if (!rawFirst) {
                raw = keep(open, new RawBatchLoop(md, BatchPairedProbe.SLOTS, maxLength, BatchPairedProbe.PROMPT));
            }
            RawBatchLoop rawLoop = raw;
            Side rawSide = config -> rawTokens(rawLoop, config, prompt, vocab);
            for (String config : configs) { // warm-up, and the two sides must choose the same tokens
                for (int w = 0; w < 20; w++) {
                    int[] e = engineSide.tokens(config);
                    int[] r = rawSide.tokens(config);
                    if (!Arrays.equals(e, r)) {
                        throw new IllegalStateException(
                                config + ": engine " + Arrays.toString(e) + " vs raw " + Arrays.toString(r));
                    }
                }
            }
            long caller = Thread.currentThread().threadId();
            long engineThread = againstRaw
                    ? -1 // the second raw loop runs on the caller's thread
                    : Thread.getAllStackTraces().keySet().stream()
                            .filter(t -> t.getName().equals("phi4-engine"))
                            .findFirst()
                            .orElseThrow()
                            .threadId();
            System.out.printf(
                    "B = 1, %d prompt ids, %d new tokens, %d rounds of %d requests per side, prefix cache %d bytes;"
                            + " %s against the raw loop, %s made first%n",
                    BatchPairedProbe.PROMPT,
                    BatchPairedProbe.NEW_TOKENS,
                    rounds,
                    repeat,
                    options.prefixCacheBytes(),
                    againstRaw ? "a second raw loop (A/A)" : "the engine",
                    rawFirst ? "the raw loop" : "the engine side");
            System.out.printf(
                    "%-8s %-24s %-24s %14s %14s %12s%n",
                    "config", "engine/raw wall", "engine/raw cpu", "engine wait ms", "raw wait ms", "raw ms/req");
            for (String config : configs) {
                double[] wall = new double[rounds];
                double[] cpu = new double[rounds];
                double[] engineWait = new double[rounds];
                double[] rawWait = new double[rounds];
                double[] rawMs = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    double[] e = null;
                    double[] w = null;
                    for (int order = 0; order < 2; order++) {
                        if ((order == 0) == (r % 2 == 0)) {
                            e = timed(repeat, () -> engineSide.tokens(config), caller, engineThread);
                        } else {
                            w = timed(repeat, () -> rawSide.tokens(config), caller, -1);
                        }
                    }
                    wall[r] = w[0] / e[0];
                    cpu[r] = w[1] / e[1];
                    engineWait[r] = (e[0] - e[1]) / repeat;
                    rawWait[r] = (w[0] - w[1]) / repeat;
                    rawMs[r] = w[0] / repeat;
                }
                System.out.printf(
                        "%-8s %-24s %-24s %14.2f %14.2f %12.2f%n",
                        config,
                        withInterval(wall),
                        withInterval(cpu),
                        BatchPairedProbe.median(engineWait),
                        BatchPairedProbe.median(rawWait),
                        BatchPairedProbe.median(rawMs));
            }
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
            kit.close();
        }
    }

    private static <T extends AutoCloseable> T keep(List<AutoCloseable> open, T resource) {
        open.add(resource);
        return resource;
    }

    /** The raw loop choosing with the engine's sampler and history, cut at an end id as the engine stops there. */
    private static int[] rawTokens(RawBatchLoop raw, String config, long[] prompt, int vocab) {
        TokenSampler sampler = TokenSampler.create(
                BatchPairedProbe.options(config, 0), vocab, BatchPairedProbe.EOS, BatchPairedProbe.NEVER);
        TokenHistory history = new TokenHistory(
                vocab, Arrays.stream(prompt).mapToInt(Math::toIntExact).toArray());
        return BatchPairedProbe.untilEnd(raw.run(
                        new long[][] {prompt},
                        BatchPairedProbe.NEW_TOKENS,
                        (row, logits) -> sampler.next(logits, history))[0]);
    }

    private interface Side {
        int[] tokens(String config);
    }

    /** Wall and CPU milliseconds (threads {@code a} and, unless -1, {@code b}) of {@code repeat} requests. */
    private static double[] timed(int repeat, Runnable request, long a, long b) {
        long cpu0 = cpu(a, b);
        long t0 = System.nanoTime();
        for (int i = 0; i < repeat; i++) {
            request.run();
        }
        long t1 = System.nanoTime();
        return new double[] {(t1 - t0) / 1e6, (cpu(a, b) - cpu0) / 1e6};
    }

    private static long cpu(long a, long b) {
        return THREADS.getThreadCpuTime(a) + (b < 0 ? 0 : THREADS.getThreadCpuTime(b));
    }

    /** Median and a percentile-bootstrap 95 % interval of the median (fixed seed: the same data, the same text). */
    static String withInterval(double[] v) {
        Random random = new Random(1);
        double[] medians = new double[2000];
        double[] sample = new double[v.length];
        for (int b = 0; b < medians.length; b++) {
            for (int i = 0; i < v.length; i++) {
                sample[i] = v[random.nextInt(v.length)];
            }
            medians[b] = BatchPairedProbe.median(sample);
        }
        Arrays.sort(medians);
        return String.format(
                "%.3f [%.3f, %.3f]",
                BatchPairedProbe.median(v),
                medians[medians.length / 40],
                medians[medians.length - 1 - medians.length / 40]);
    }
}
