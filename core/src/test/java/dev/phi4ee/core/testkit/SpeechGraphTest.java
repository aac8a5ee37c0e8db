package dev.phi4ee.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.testkit.OrtTestSession.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Speech graph rows = Σ audio_sizes = Σ ceil(T/8) (reference §3.2, §8.9); mode selects the projection (§5.2). */
class SpeechGraphTest {
    static final int H = 32;
    static final int MELS = 80;
    static TestModelSpec spec = TestModelSpec.defaults();
    static OrtTestSession speech;

    @BeforeAll
    static void open() {
        speech = new OrtTestSession(Phi4TestModels.shared(spec).resolve(Phi4TestModels.SPEECH_FILE));
    }

    @AfterAll
    static void close() {
        speech.close();
    }

    /** Deterministic log-mel-like values for clip c, frame t, bin m. */
    static float mel(int clip, int t, int m) {
        return (float) (5 + 3 * Math.sin(0.37 * t + 0.11 * m + clip) + 0.01 * m);
    }

    static Tensor run(int[] frames, long mode) {
        int a = frames.length;
        int tMax = java.util.Arrays.stream(frames).max().orElseThrow();
        float[] embeds = new float[a * tMax * MELS];
        boolean[] mask = new boolean[a * tMax];
        long[] sizes = new long[a];
        for (int c = 0; c < a; c++) {
            sizes[c] = (frames[c] + 7) / 8; // ceil(T/8), §8.9
            for (int t = 0; t < frames[c]; t++) {
                mask[c * tMax + t] = true;
                for (int m = 0; m < MELS; m++) {
                    embeds[(c * tMax + t) * MELS + m] = mel(c, t, m);
                }
            }
        }
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("audio_embeds", Tensor.f32(embeds, a, tMax, MELS));
        in.put("audio_attention_mask", Tensor.bool(mask, a, tMax));
        in.put("audio_sizes", Tensor.i64(sizes, a));
        in.put("audio_projection_mode", Tensor.i64(new long[] {mode}, 1));
        return speech.run(in).get("audio_features");
    }

    @Test
    void rowCountIsTheSumOfCeilFramesOverEight() {
        // 1.0 s and 3.7 s at 16 kHz: 98 and 368 frames → 13 and 46 tokens (§8.10)
        assertThat(run(new int[] {98, 368}, 2).shape()).containsExactly(59, H);
        assertThat(run(new int[] {584}, 2).shape()).containsExactly(73, H);
        assertThat(run(new int[] {1, 8, 9}, 2).shape()).containsExactly(1 + 1 + 2, H);
    }

    @Test
    void rowsAreProjectedMeansOfEightFramesInClipOrder() {
        int[] frames = {98, 20};
        float[] out = run(frames, 2).floats();
        SeededWeights weights = new SeededWeights(spec.seed());
        float[] w = weights.normal("speech.projection.speech", MELS * H, 0, 0.3 / Math.sqrt(MELS));
        float[] freq = weights.uniform("speech.freq", H, 0.01, 1.0);
        float[] phase = weights.uniform("speech.phase", H, 0, 6.28);
        int row = 0;
        for (int c = 0; c < frames.length; c++) {
            for (int t = 0; t < (frames[c] + 7) / 8; t++, row++) {
                for (int j = 0; j < H; j++) {
                    double acc = 0;
                    for (int m = 0; m < MELS; m++) {
                        double mean = 0;
                        for (int f = 8 * t; f < 8 * t + 8; f++) {
                            mean += f < frames[c] ? mel(c, f, m) : 0; // masked/padded frames count as 0
                        }
                        acc += mean / 8 * w[m * H + j];
                    }
                    double expected = Math.tanh(acc + Math.sin(t * freq[j] + phase[j]));
                    assertThat((double) out[row * H + j])
                            .as("row %d col %d", row, j)
                            .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4));
                }
            }
        }
    }

    @Test
    void projectionModeIsObservable() {
        float[] speechMode = run(new int[] {40}, 2).floats();
        float[] visionMode = run(new int[] {40}, 3).floats();
        float[] visionModeAgain = run(new int[] {40}, 1).floats();
        assertThat(speechMode).isNotEqualTo(visionMode);
        assertThat(visionMode).isEqualTo(visionModeAgain);
    }
}
