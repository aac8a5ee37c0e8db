package dev.phi4ee.core.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The original mel bank (§8.5) against its check values and its closed-form definition. */
class MelFilterBankTest {
    private final float[][] w = MelFilterBank.dense(80);

    @Test
    void shapeAndSupportFollowTheOriginalBinRange() {
        assertThat(w).hasNumberOfRows(80);
        for (float[] row : w) {
            assertThat(row).hasSize(257);
            assertThat(row[0]).isZero(); // klo = 1
            for (int k = 246; k < 257; k++) {
                assertThat(row[k]).isZero(); // khi = 246, exclusive (HF has W[79, 246] = 0.009719)
            }
        }
    }

    @Test
    void checkValuesOfTheReference() {
        assertRow(0, 1, 0.5756);
        assertRow(1, 1, 0.4244, 0.2109);
        assertRow(2, 2, 0.7891);
        assertRow(39, 52, 0.1478, 0.5832, 0.9871, 0.5630, 0.1444);
        assertRow(
                79, 231, 0.1148, 0.2432, 0.3712, 0.4986, 0.6255, 0.7520, 0.8780, 0.9966, 0.8716, 0.7470, 0.6230, 0.4994,
                0.3763, 0.2536, 0.1315);
    }

    /** Asserts filter m's non-zero run is exactly {@code values}, starting at bin {@code first}. */
    private void assertRow(int m, int first, double... values) {
        for (int k = 0; k < 257; k++) {
            int i = k - first;
            double expected = i >= 0 && i < values.length ? values[i] : 0;
            if (expected == 0) {
                // Filters 1 and 2 share bins with neighbours only where the check values list them.
                if (m == 0 || m == 39 || m == 79) {
                    assertThat(w[m][k]).as("W[%d, %d]", m, k).isZero();
                }
            } else {
                assertThat((double) w[m][k]).as("W[%d, %d]", m, k).isCloseTo(expected, within(5e-5));
            }
        }
    }

    @Test
    void everyWeightEqualsTheClosedForm() {
        for (int m = 0; m < 80; m++) {
            for (int k = 0; k < 257; k++) {
                assertThat((double) w[m][k])
                        .as("W[%d, %d]", m, k)
                        .isCloseTo(ReferenceFeatures.weight(m, k), within(1e-6));
            }
        }
    }

    @Test
    void melScaleValues() {
        assertThat(MelFilterBank.mel(7690)).isCloseTo(2799.1473, within(1e-4));
        assertThat(MelFilterBank.mel(7690) / 81).isCloseTo(34.557374, within(1e-6));
    }

    @Test
    void sparseApplicationEqualsTheDenseProduct() {
        MelFilterBank bank = new MelFilterBank(80);
        float[] power = new float[257];
        java.util.Random r = new java.util.Random(1);
        for (int k = 0; k < 257; k++) {
            power[k] = (float) Math.exp(20 * r.nextDouble());
        }
        float[] out = new float[80];
        bank.logMel(power, out, 0);
        for (int m = 0; m < 80; m++) {
            double e = 0;
            for (int k = 0; k < 257; k++) {
                e += (double) power[k] * w[m][k];
            }
            assertThat((double) out[m]).isCloseTo(Math.log(Math.max(e, 1)), within(1e-5));
        }
    }
}
