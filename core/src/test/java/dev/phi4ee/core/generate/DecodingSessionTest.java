package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.testkit.TestModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Equivalence tests of the decode loop on the Phi-4-shaped test model (fp32, 2 layers, GQA, LongRoPE switch at 64).
 * Tolerances: fp32 incremental vs recompute 1e-4 absolute on logits (different summation order inside attention
 * only); fp16 vs fp32 stated below.
 */
class DecodingSessionTest {
    static final float FP32_TOLERANCE = 1e-4f;
    static Phi4Graphs fp32;
    static int originalMax;

    @BeforeAll
    static void open() {
        TestModelSpec spec = KitModels.spec().build();
        fp32 = KitModels.open(spec);
        originalMax = spec.originalMaxPositionEmbeddings();
    }

    @AfterAll
    static void close() {
        fp32.close();
    }

    static long[] prompt(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 1000 + r.nextInt(100_000); // ordinary BPE ids
        }
        return ids;
    }

    /** Greedy decoding; returns the logits row of every step (prefill first) and the tokens in {@code out}. */
    static List<float[]> decode(DecodingSession s, long[] prompt, int steps, List<Long> out) {
        List<float[]> rows = new ArrayList<>();
        LastLogits l = s.prefill(prompt, null, null);
        for (int i = 0; i < steps; i++) {
            rows.add(l.toFloats());
            int t = l.argmax();
            out.add((long) t);
            l = s.next(t);
        }
        rows.add(l.toFloats());
        return rows;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** Logits of the last position when the whole sequence is run at once from an empty cache. */
    static float[] recompute(Phi4Graphs g, long[] sequence, boolean shared) {
        try (DecodingSession fresh = new DecodingSession(g, shared, 256, originalMax)) {
            return fresh.prefill(sequence, null, null).toFloats();
        }
    }

    private void assertIncrementalEqualsRecompute(boolean shared, int promptLength, int steps, boolean expectCrossing) {
        long[] p = prompt(promptLength, 7);
        List<Long> tokens = new ArrayList<>();
        List<float[]> rows;
        int reprefills;
        try (DecodingSession s = new DecodingSession(fp32, shared, 256, originalMax)) {
            rows = decode(s, p, steps, tokens);
            reprefills = s.reprefills();
        }
        assertThat(reprefills).isEqualTo(expectCrossing ? 1 : 0);
        for (int step = 0; step <= steps; step++) {
            long[] seq = Arrays.copyOf(p, promptLength + step);
            for (int i = 0; i < step; i++) {
                seq[promptLength + i] = tokens.get(i);
            }
            float diff = maxAbsDiff(rows.get(step), recompute(fp32, seq, shared));
            assertThat(diff)
                    .as("step %d (length %d), shared=%s", step, seq.length, shared)
                    .isLessThanOrEqualTo(FP32_TOLERANCE);
        }
    }

    @Test
    void kvCacheLogitsEqualFullRecomputeSharedBuffer() {
        assertIncrementalEqualsRecompute(true, 12, 6, false);
    }

    @Test
    void kvCacheLogitsEqualFullRecomputeGrowing() {
        assertIncrementalEqualsRecompute(false, 12, 6, false);
    }

    @Test
    void kvCacheEqualsRecomputeAcrossTheLongRopeSwitch() {
        // prompt 61 + 6 steps crosses original_max_position_embeddings (64) at step 3
        assertIncrementalEqualsRecompute(true, originalMax - 3, 6, true);
        assertIncrementalEqualsRecompute(false, originalMax - 3, 6, true);
    }

    @Test
    void withoutTheReRunCachedShortFactorKeysDiverge() {
        // Documents what the re-run fixes (and that the kit's switch is live): keeping the short-factor keys
        // after the crossing, as onnxruntime-genai does, gives different logits than a recompute.
        long[] p = prompt(originalMax - 2, 11);
        List<Long> tokens = new ArrayList<>();
        List<float[]> rows;
        try (DecodingSession s = new DecodingSession(fp32, true, 256, Integer.MAX_VALUE)) {
            rows = decode(s, p, 4, tokens);
        }
        long[] seq = Arrays.copyOf(p, p.length + 4);
        for (int i = 0; i < 4; i++) {
            seq[p.length + i] = tokens.get(i);
        }
        assertThat(maxAbsDiff(rows.get(4), recompute(fp32, seq, true))).isGreaterThan(100 * FP32_TOLERANCE);
    }

    @Test
    void sharedBufferAndGrowingCacheGiveIdenticalTokens() {
        long[] p = prompt(20, 3);
        List<Long> shared = new ArrayList<>();
        List<Long> growing = new ArrayList<>();
        try (DecodingSession s = new DecodingSession(fp32, true, 256, originalMax)) {
            decode(s, p, 60, shared);
        }
        try (DecodingSession s = new DecodingSession(fp32, false, 256, originalMax)) {
            decode(s, p, 60, growing);
        }
        assertThat(shared).hasSize(60).isEqualTo(growing);
    }

    @Test
    void sessionIsReusableAfterReset() {
        long[] p = prompt(10, 5);
        try (DecodingSession s = new DecodingSession(fp32, true, 256, originalMax)) {
            List<Long> first = new ArrayList<>();
            decode(s, p, 10, first);
            s.reset();
            List<Long> second = new ArrayList<>();
            decode(s, p, 10, second);
            assertThat(second).isEqualTo(first);
        }
    }

    @Test
    void rewindRepeatsTheSameStep() {
        long[] p = prompt(10, 9);
        try (DecodingSession s = new DecodingSession(fp32, true, 256, originalMax)) {
            int t = s.prefill(p, null, null).argmax();
            float[] a = s.next(t).toFloats();
            s.rewindTo(10);
            float[] b = s.next(t).toFloats();
            assertThat(maxAbsDiff(a, b)).isZero();
        }
    }

    @Test
    void chunkedPrefillEqualsOneRunBelowAndAboveTheLongRopeThreshold() {
        for (boolean shared : new boolean[] {true, false}) {
            for (int n : new int[] {30, originalMax + 20}) {
                long[] p = prompt(n, 13);
                float[] whole;
                float[] chunked;
                float[] chunkedNext;
                float[] wholeNext;
                try (DecodingSession s = new DecodingSession(fp32, shared, 256, originalMax)) {
                    s.prefillChunk(0);
                    whole = s.prefill(p, null, null).toFloats();
                    wholeNext = s.next(42).toFloats();
                }
                try (DecodingSession s = new DecodingSession(fp32, shared, 256, originalMax)) {
                    s.prefillChunk(7);
                    chunked = s.prefill(p, null, null).toFloats();
                    chunkedNext = s.next(42).toFloats();
                }
                assertThat(maxAbsDiff(whole, chunked))
                        .as("n=%d shared=%s", n, shared)
                        .isLessThanOrEqualTo(FP32_TOLERANCE);
                assertThat(maxAbsDiff(wholeNext, chunkedNext)).isLessThanOrEqualTo(FP32_TOLERANCE);
            }
        }
    }
}
