package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.testkit.FullRecomputeDecoder;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Three independent ways to decode the same greedy requests on the kit model (window 256, LongRoPE switch at 64):
 * continuous batching over the shared slot pool, the growing-cache engine (one request at a time, its own cache
 * class), and {@link FullRecomputeDecoder} — no cache at all, the whole sequence through the graphs, sharing no code
 * with the engine. More requests than slots (each slot serves several), generations that run to the window's end,
 * prompts below, at and above the switch so every mode crosses it or starts past it.
 *
 * <p>The reference check: for every generated token, chosen after L ids, the cache-free logits after those L ids
 * (mask length L, so short factors for L ≤ 64, long above, as Hugging Face computes after dropping its cache) must
 * rank it first among the ids the engine may generate — up to a few units of the logits' float resolution:
 * the reference runs other kernel shapes (a whole-sequence pass instead of one-row steps), so its logits differ from
 * the engine's in their last bits and a near-tie may go either way, nothing more.
 */
class RecomputeReferenceTest {
    private static final int WINDOW = 256;
    private static final int SWITCH = 64;

    /** {@code chars} letters (prompt = chars + 3 ids with FakeTextCodec); maxNew 0 = up to the window's end. */
    record Job(int chars, int maxNew, long seed) {
        GenerationRequest request() {
            SplittableRandom r = new SplittableRandom(seed);
            StringBuilder text = new StringBuilder();
            for (int c = 0; c < chars; c++) {
                text.append((char) ('a' + r.nextInt(26)));
            }
            int n = maxNew > 0 ? maxNew : WINDOW - (chars + 3);
            return GenerationRequest.builder()
                    .user(text.toString())
                    .options(GenerationOptions.builder().maxNewTokens(n).build())
                    .build();
        }
    }

    /**
     * 15 requests for 3 slots. To the window's end: prompts of 6 (crosses after 58 tokens), 48, 64 (crosses on the
     * first step), 65 (long factors from the prompt on) and 123 ids; the rest cross the switch at varied steps or
     * stay below it.
     */
    static List<Job> jobs() {
        List<Job> jobs = new ArrayList<>();
        int[][] shapes = {
            {3, 0}, {45, 0}, {61, 0}, {62, 0}, {120, 0},
            {55, 30}, {58, 12}, {40, 40}, {10, 20}, {60, 8},
            {30, 50}, {50, 25}, {5, 70}, {20, 45}, {59, 9}
        };
        for (int i = 0; i < shapes.length; i++) {
            jobs.add(new Job(shapes[i][0], shapes[i][1], 1000 + i));
        }
        return jobs;
    }

    /**
     * @param ulps how far below the reference's best logit the engine's token may be, in units in the last place of
     *     the graph's float type at that logit: 4 for fp16 (every op rounds its output to fp16, so two computations
     *     of one logit through other kernel shapes land a few fp16 ulps apart, 2^-11 relative each), 16 for fp32
     *     (same ops, sums in another order). Measured: 0 — the engine's token was the reference's exact argmax for
     *     every token of both types, and the cache-free pass reproduced the per-step recompute bit for bit.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"FP32, 16", "FP16, 4"})
    void batchingGrowingCacheAndFullRecomputeAgree(TestModelSpec.FloatType type, int ulps) throws Exception {
        TestModelSpec spec = KitModels.spec().floatType(type).build();
        List<Job> jobs = jobs();
        List<List<Integer>> batched = new ArrayList<>();
        try (OnnxPhi4Engine engine = ContinuousBatchingTest.open(
                spec, ContinuousBatchingTest.options().maxBatchSize(3).build())) {
            List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
            for (Job j : jobs) {
                futures.add(engine.stream(j.request(), d -> {}).result());
            }
            for (CompletableFuture<GenerationResult> f : futures) {
                batched.add(f.get(120, TimeUnit.SECONDS).tokenIds());
            }
            assertThat(engine.batcher().peakActive())
                    .as("requests ran together")
                    .isEqualTo(3);
            assertThat(engine.batcher().crossings())
                    .as("rows crossed the switch while batched")
                    .isPositive();
        }
        List<List<Integer>> growing = new ArrayList<>();
        try (OnnxPhi4Engine engine = ContinuousBatchingTest.open(
                spec,
                ContinuousBatchingTest.options()
                        .kvCacheMode(KvCacheMode.GROWING)
                        .build())) {
            assertThat(engine.kvCacheMode()).isEqualTo(KvCacheMode.GROWING);
            for (Job j : jobs) {
                GenerationResult g = engine.generate(j.request());
                growing.add(g.tokenIds());
                if (j.maxNew() == 0 && g.finishReason() == FinishReason.LENGTH) {
                    assertThat(j.chars() + 3 + g.tokenIds().size()).isEqualTo(WINDOW);
                }
            }
        }
        FakeTextCodec codec = new FakeTextCodec();
        boolean[] excluded = new boolean[FullRecomputeDecoder.vocab()];
        for (int id : GenerationIds.of(List.of(199999, 200020), excluded.length, codec)
                .neverGenerated()) {
            excluded[id] = true;
        }
        Stats stats = new Stats(type, ulps);
        int windowEnds = 0;
        try (FullRecomputeDecoder reference = new FullRecomputeDecoder(KitModels.dir(spec), spec)) {
            for (int i = 0; i < jobs.size(); i++) {
                long[] prompt = Arrays.stream(
                                codec.encodeChat(jobs.get(i).request().messages()))
                        .asLongStream()
                        .toArray();
                String what = type + " request " + i + " " + jobs.get(i);
                stats.check(reference, prompt, batched.get(i), excluded, what + " batched");
                if (!growing.get(i).equals(batched.get(i))) {
                    stats.check(reference, prompt, growing.get(i), excluded, what + " growing");
                    stats.modesDiffer++;
                }
                windowEnds += prompt.length + batched.get(i).size() == WINDOW ? 1 : 0;
            }
            // The shortcut of one pass per side against the literal per-step recompute, around the switch and at the
            // window's end of the first request (prompt 6, to the end).
            long[] seq = sequence(jobs.get(0), codec, batched.get(0));
            float[] longPass = reference.pass(Arrays.copyOf(seq, seq.length - 1));
            float[] shortPass = reference.pass(Arrays.copyOf(seq, SWITCH));
            int v = FullRecomputeDecoder.vocab();
            for (int length : new int[] {SWITCH - 1, SWITCH, SWITCH + 1, SWITCH + 2, WINDOW - 1}) {
                float[] step = reference.lastRow(Arrays.copyOf(seq, length));
                float[] pass = length <= SWITCH ? shortPass : longPass;
                float[] row = Arrays.copyOfRange(pass, (length - 1) * v, length * v);
                assertThat(DecodingSessionTest.maxAbsDiff(step, row))
                        .as("per-step recompute vs one pass, after %d ids", length)
                        .isLessThanOrEqualTo((float) stats.bound(largestMagnitude(step)));
            }
        }
        System.out.printf(
                "%s: %d tokens checked against full recompute, %d exact argmax, largest gap %.3g (%d ulps); "
                        + "%d of %d requests differ between batching and growing cache; %d ran to the window's end%n",
                type, stats.tokens, stats.exact, stats.largestGap, ulps, stats.modesDiffer, jobs.size(), windowEnds);
        assertThat(windowEnds).as("generations that filled the window").isGreaterThanOrEqualTo(3);
        assertThat(stats.crossedSwitch)
                .as("sequences that crossed the switch while decoding")
                .isPositive();
    }

    private static double largestMagnitude(float[] row) {
        double m = 0;
        for (float x : row) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    private static long[] sequence(Job job, FakeTextCodec codec, List<Integer> generated) {
        int[] prompt = codec.encodeChat(job.request().messages());
        long[] seq = new long[prompt.length + generated.size()];
        for (int i = 0; i < prompt.length; i++) {
            seq[i] = prompt[i];
        }
        for (int i = 0; i < generated.size(); i++) {
            seq[prompt.length + i] = generated.get(i);
        }
        return seq;
    }

    private static final class Stats {
        final TestModelSpec.FloatType type;
        final int ulps;
        long tokens;
        long exact;
        double largestGap;
        int modesDiffer;
        int crossedSwitch;

        Stats(TestModelSpec.FloatType type, int ulps) {
            this.type = type;
            this.ulps = ulps;
        }

        /** {@code ulps} units in the last place of the graph's float type at {@code logit}. */
        double bound(double logit) {
            double ulp = type == TestModelSpec.FloatType.FP16
                    ? Math.scalb(1.0, Math.max(Math.getExponent(Math.max(Math.abs(logit), 0x1p-14)), -14) - 10)
                    : Math.ulp((float) logit);
            return ulps * ulp;
        }

        /** Every generated token against the cache-free logits after the ids before it. */
        void check(
                FullRecomputeDecoder reference,
                long[] prompt,
                List<Integer> generated,
                boolean[] excluded,
                String what) {
            int p = prompt.length;
            int n = p + generated.size();
            long[] seq = Arrays.copyOf(prompt, n);
            for (int i = 0; i < generated.size(); i++) {
                seq[p + i] = generated.get(i);
            }
            // Token i was chosen after L = p + i ids: rows L − 1 of a pass on L's side of the switch.
            int lastShort = Math.min(SWITCH, n - 1);
            float[] shortPass = p <= lastShort ? reference.pass(Arrays.copyOf(seq, lastShort)) : null;
            float[] longPass = n - 1 > SWITCH ? reference.pass(Arrays.copyOf(seq, n - 1)) : null;
            crossedSwitch += shortPass != null && longPass != null ? 1 : 0;
            int v = FullRecomputeDecoder.vocab();
            for (int length = p; length < n; length++) {
                float[] pass = length <= SWITCH ? shortPass : longPass;
                int off = (length - 1) * v;
                int best = -1;
                for (int id = 0; id < v; id++) {
                    if (!excluded[id] && (best < 0 || pass[off + id] > pass[off + best])) {
                        best = id;
                    }
                }
                int token = (int) seq[length];
                double gap = pass[off + best] - pass[off + token];
                assertThat(excluded[token])
                        .as("%s: token %d is never generated", what, length - p)
                        .isFalse();
                assertThat(gap)
                        .as(
                                "%s: token %d (%d) vs full recompute's best %d, after %d ids",
                                what, length - p, token, best, length)
                        .isLessThanOrEqualTo(bound(pass[off + best]));
                tokens++;
                exact += token == best ? 1 : 0;
                largestGap = Math.max(largestGap, gap);
            }
        }
    }
}
