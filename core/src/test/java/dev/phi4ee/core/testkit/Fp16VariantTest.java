package dev.phi4ee.core.testkit;

import static dev.phi4ee.core.testkit.DecoderRunner.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fp16 variant (float16 interface and weights, §3) agrees with the fp32 variant and supports a shared cache. */
class Fp16VariantTest {
    static final TestModelSpec FP32 = TestModelSpec.defaults();
    static final TestModelSpec FP16 =
            FP32.toBuilder().floatType(TestModelSpec.FloatType.FP16).build();
    static DecoderRunner fp32;
    static DecoderRunner fp16;

    @BeforeAll
    static void open() {
        fp32 = new DecoderRunner(Phi4TestModels.shared(FP32), FP32);
        fp16 = new DecoderRunner(Phi4TestModels.shared(FP16), FP16);
    }

    @AfterAll
    static void close() {
        fp32.close();
        fp16.close();
    }

    @Test
    void fp16LogitsAgreeWithFp32WithinTolerance() {
        long[] prompt = {9_906, 11, 1_917, 382, 3_923};
        List<Long> tokens32 = new ArrayList<>();
        List<Long> tokens16 = new ArrayList<>();
        List<float[]> a = fp32.growing(prompt, 4, tokens32);
        List<float[]> b = fp16.growing(prompt, 4, tokens16);
        // Same weights (fp16-exact), fp16 activations at the graph boundary and in attention: logits of magnitude
        // ~10 agree to a few hundredths.
        assertThat(maxAbsDiff(a.get(0), b.get(0))).isLessThan(0.1);
        assertThat(tokens16.get(0)).isEqualTo(tokens32.get(0));
    }

    @Test
    void fp16SharedBufferRunEqualsGrowingRun() {
        long[] prompt = {40, 1_093, 5_825, 13};
        List<Long> growingTokens = new ArrayList<>();
        List<Long> sharedTokens = new ArrayList<>();
        List<float[]> a = fp16.growing(prompt, 5, growingTokens);
        List<float[]> b = fp16.shared(prompt, 5, 64, sharedTokens);
        assertThat(sharedTokens).isEqualTo(growingTokens);
        for (int i = 0; i < a.size(); i++) {
            assertThat(maxAbsDiff(a.get(i), b.get(i))).as("step %d", i).isLessThan(1e-2);
        }
    }
}
