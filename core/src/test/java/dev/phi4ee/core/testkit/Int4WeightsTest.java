package dev.phi4ee.core.testkit;

import static dev.phi4ee.core.testkit.DecoderRunner.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.testkit.TestModelSpec.FloatType;
import dev.phi4ee.core.testkit.TestModelSpec.WeightFormat;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The INT4 text graph (MatMulNBits, reference §2.1, §5.1) computes with exactly the weights its codes and scales
 * stand for: its logits equal those of the float graph built from {@link Int4Weights#dequantized()} of the same RTN
 * codes. A wrong nibble order, block layout or scale index would move logits of magnitude ~10 by O(1).
 */
class Int4WeightsTest {
    static final long[] PROMPT = {9_906, 11, 1_917, 382, 3_923, 1_093, 5_825, 13, 40};

    static TestModelSpec spec(FloatType type, WeightFormat format, int accuracyLevel) {
        return TestModelSpec.builder()
                .floatType(type)
                .weights(format)
                .accuracyLevel(accuracyLevel)
                .includeVision(false)
                .includeSpeech(false)
                .build();
    }

    /**
     * Logits of every prompt position in one pass (MatMulNBits with M = 9 rows) and of each prompt id alone (M = 1):
     * teacher-forced, so a different argmax cannot make the compared sequences diverge.
     */
    static List<float[]> logits(TestModelSpec spec) {
        try (DecoderRunner runner = new DecoderRunner(Phi4TestModels.shared(spec), spec)) {
            List<float[]> rows = new ArrayList<>();
            OrtTestSession.Tensor prefill = runner.fullPass(PROMPT);
            for (int p = 0; p < PROMPT.length; p++) {
                rows.add(DecoderRunner.row(prefill, p));
                rows.add(DecoderRunner.row(runner.fullPass(new long[] {PROMPT[p]}), 0));
            }
            return rows;
        }
    }

    static double maxDiff(List<float[]> a, List<float[]> b) {
        double m = 0;
        for (int i = 0; i < a.size(); i++) {
            m = Math.max(m, maxAbsDiff(a.get(i), b.get(i)));
        }
        return m;
    }

    @Test
    void codesArePackedLowNibbleFirstPerColumnAndBlock() {
        int k = 40; // one full block and one partial block of 8
        int n = 2;
        float[] w = new float[k * n];
        for (int row = 0; row < k; row++) {
            w[row * n] = ((row % 16) - 8) * 0.5f; // column 0: extreme −4 ⇒ scale 0.5, codes 0..15 repeating
            w[row * n + 1] = row < 32 ? 0 : 3f * (row - 31); // column 1: block 0 all zero, block 1 up to 24
        }
        Int4Weights q = Int4Weights.quantize(w, k, n, false);
        assertThat(q.packed()).hasSize(n * 2 * 16);
        assertThat(q.scales()).containsExactly(0.5f, 0.5f, 0f, -3f);
        assertThat(q.packed()[0]).isEqualTo((byte) 0x10); // rows 0, 1 → codes 0 (low), 1 (high)
        assertThat(q.packed()[7]).isEqualTo((byte) 0xFE); // rows 14, 15 → codes 14, 15
        assertThat(q.packed()[16]).isEqualTo((byte) 0x10); // column 0 block 1: rows 32, 33
        assertThat(q.packed()[32]).isEqualTo((byte) 0x88); // column 1 block 0: zero scale, every code at 8
        assertThat(q.packed()[48]).isEqualTo((byte) 0x67); // column 1 rows 32, 33: 3, 6 / −3 = −1, −2 → codes 7, 6
        assertThat(q.dequantized()).containsExactly(w);
    }

    @Test
    void roundTripErrorIsAtMostHalfAStepUnlessClamped() {
        int k = 64;
        int n = 48;
        float[] w = new SeededWeights(3).normal("w", k * n, 0, 1);
        Int4Weights q = Int4Weights.quantize(w, k, n, true);
        float[] back = q.dequantized();
        for (int row = 0; row < k; row++) {
            for (int col = 0; col < n; col++) {
                float step = Math.abs(q.scales()[col * 2 + row / 32]);
                // codes span −8…7 steps: a value of the other sign than the block's extreme may clamp at 7
                float bound = q.code(row, col) == 15 ? step : step / 2 * 1.001f;
                assertThat(Math.abs(back[row * n + col] - w[row * n + col]))
                        .as("[%d, %d]", row, col)
                        .isLessThanOrEqualTo(bound);
            }
        }
    }

    /**
     * Tolerances from measurements (ORT 1.24.1 CPU, AVX-512 VNNI): FP32 level 0 9.2e-6 (summation order only);
     * FP16 level 0 0.020 (MatMulNBits takes float16 activations, as in the release); level 4 0.33 (activations
     * quantized to int8 per 32-block). Quantization itself moves the logits by 4.9; swapped nibbles gave 23.7.
     */
    @ParameterizedTest
    @CsvSource({"FP32, 0, 1e-4", "FP16, 0, 0.05", "FP32, 4, 0.75", "FP16, 4, 0.75"})
    void int4LogitsEqualTheFloatGraphOfTheDequantizedWeights(FloatType type, int accuracyLevel, double tolerance) {
        List<float[]> int4 = logits(spec(type, WeightFormat.INT4, accuracyLevel));
        List<float[]> dequantized = logits(spec(type, WeightFormat.INT4_DEQUANTIZED, 0));
        List<float[]> unquantized = logits(spec(type, WeightFormat.FLOAT, 0));
        assertThat(maxDiff(dequantized, unquantized))
                .as("int4 rounding is visible")
                .isGreaterThan(3);
        assertThat(maxDiff(int4, dequantized)).isLessThanOrEqualTo(tolerance);
    }
}
