package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.testkit.TestModelSpec;
import org.junit.jupiter.api.Test;

/**
 * The fp16 and fp32 variants of the same seeded test model agree: prompt logits within an absolute tolerance of
 * {@value #TOLERANCE} (fp16 keeps ~3 decimal digits; logits of the tiny model are O(1)), and the same greedy tokens
 * for the first steps.
 */
class Fp16ParityTest {
    static final float TOLERANCE = 0.05f;

    @Test
    void fp16AndFp32VariantsAgreeWithinTolerance() {
        TestModelSpec base = KitModels.spec().build();
        long[] p = DecodingSessionTest.prompt(16, 21);
        try (Phi4Graphs g32 = KitModels.open(base);
                Phi4Graphs g16 = KitModels.open(
                        base.toBuilder().floatType(TestModelSpec.FloatType.FP16).build());
                DecodingSession s32 = new DecodingSession(g32, true, 256, 64);
                DecodingSession s16 = new DecodingSession(g16, true, 256, 64)) {
            assertThat(g16.embedsType().label()).isEqualTo("float16");
            float[] a = s32.prefill(p, null, null).toFloats();
            float[] b = s16.prefill(p, null, null).toFloats();
            float diff = DecodingSessionTest.maxAbsDiff(a, b);
            System.out.printf("fp16 vs fp32 prompt logits: max abs diff %.5f%n", diff);
            assertThat(diff).isLessThanOrEqualTo(TOLERANCE);
            for (int i = 0; i < 5; i++) {
                int t32 = argmax(a);
                int t16 = argmax(b);
                assertThat(t16).as("greedy token %d", i).isEqualTo(t32);
                a = s32.next(t32).toFloats();
                b = s16.next(t16).toFloats();
            }
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
