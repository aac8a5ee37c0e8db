package dev.phi4ee.benchmarks;

import dev.phi4ee.core.model.ModelDirectory;
import java.util.Arrays;
import java.util.Random;

/**
 * Issue 15's B = 1 gap, fourth round: two {@link RawBatchLoop}s in one JVM, one with its own logits layout and one
 * with the engine's ({@code -DrawBuffers=direct} applies to both), in alternating rounds of {@code B} greedy requests
 * ({@link BatchPairedProbe}'s 10 prompt ids, 32 new tokens, plain argmax). Prints medians of the per-round ratios
 * engine-layout/own of the time inside decoder runs and of wall time (> 1: the engine's layout is slower).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -Drounds=15 -cp benchmarks/target/benchmarks.jar \
 *     dev.phi4ee.benchmarks.RawLayoutPairedProbe [1]</pre>
 */
public final class RawLayoutPairedProbe {
    private RawLayoutPairedProbe() {}

    public static void main(String[] args) throws Exception {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int rounds = Integer.getInteger("rounds", 15);
        int repeat = Math.max(1, BatchPairedProbe.SLOTS / batch);
        TextKitModel kit = new TextKitModel("phi4-layout-probe-");
        ModelDirectory md = kit.model();
        Random random = new Random(15);
        long[][] prompts = new long[batch][];
        for (int i = 0; i < batch; i++) {
            prompts[i] = random.longs(BatchPairedProbe.PROMPT, 1000, 150_000).toArray();
        }
        int slots = BatchPairedProbe.SLOTS;
        int maxLength = md.config().search().maxLength();
        try (RawBatchLoop own = new RawBatchLoop(md, slots, maxLength, BatchPairedProbe.PROMPT, false);
                RawBatchLoop engine = new RawBatchLoop(md, slots, maxLength, BatchPairedProbe.PROMPT, true)) {
            System.out.println(own.layout() + " vs " + engine.layout() + ", B = " + batch);
            for (int warm = 0; warm < 3; warm++) {
                if (!Arrays.deepEquals(tokens(own, prompts), tokens(engine, prompts))) {
                    throw new IllegalStateException("the layouts disagree on a token");
                }
            }
            double[] decoder = new double[rounds];
            double[] wall = new double[rounds];
            double[][] ms = new double[2][rounds];
            for (int r = 0; r < rounds; r++) {
                double[] a = r % 2 == 0 ? timed(own, prompts, repeat) : null;
                double[] b = timed(engine, prompts, repeat);
                if (a == null) {
                    a = timed(own, prompts, repeat);
                }
                decoder[r] = b[0] / a[0];
                wall[r] = b[1] / a[1];
                ms[0][r] = a[0] / repeat / batch;
                ms[1][r] = b[0] / repeat / batch;
            }
            System.out.printf(
                    "engine layout / own, median of %d rounds: decoder time %.3f, wall time %.3f; decoder ms/request"
                            + " own %.2f, engine layout %.2f%n",
                    rounds,
                    BatchPairedProbe.median(decoder),
                    BatchPairedProbe.median(wall),
                    BatchPairedProbe.median(ms[0]),
                    BatchPairedProbe.median(ms[1]));
        } finally {
            kit.close();
        }
    }

    private static int[][] tokens(RawBatchLoop loop, long[][] prompts) {
        return loop.run(prompts, BatchPairedProbe.NEW_TOKENS, (row, logits) -> BatchPairedProbe.plainArgmax(logits));
    }

    /** Milliseconds inside decoder runs and wall milliseconds of {@code repeat} rounds. */
    private static double[] timed(RawBatchLoop loop, long[][] prompts, int repeat) {
        long d0 = loop.decoderNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < repeat; i++) {
            tokens(loop, prompts);
        }
        return new double[] {(loop.decoderNanos() - d0) / 1e6, (System.nanoTime() - t0) / 1e6};
    }
}
