package dev.phi4ee.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.testkit.OrtTestSession.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Vision graph rows per image = the token count of §7.10 for the dynamic-HD masks of §7.3–7.5 (built here by the
 * closed form), images concatenated (§7.9); row content depends on the pixels.
 */
class VisionGraphTest {
    static final int H = 32;
    static final int S = 448;
    static OrtTestSession vision;

    @BeforeAll
    static void open() {
        vision = new OrtTestSession(
                Phi4TestModels.shared(TestModelSpec.defaults()).resolve(Phi4TestModels.VISION_FILE));
    }

    @AfterAll
    static void close() {
        vision.close();
    }

    /** One preprocessed image: grid, HD-crop masks (crops 1…gw·gh) and a pixel seed for its content. */
    record Image(int gw, int gh, float[][][] hdMasks, float pixelSeed) {
        /** Ceil-branch grid (§7.3), resize/pad (§7.4, truncation) and the zeroed mask rows/columns (§7.5). */
        static Image of(int width, int height, float pixelSeed) {
            int gw = (int) Math.ceil(width / 448.0);
            int gh = (int) Math.ceil(height / 448.0);
            double rw = 448.0 * gw / width;
            double rh = 448.0 * gh / height;
            int padW = 0;
            int padH = 0;
            if (rw < rh) {
                padH = 448 * gh - (int) (height * rw);
            } else {
                padW = 448 * gw - (int) (width * rh);
            }
            int zc = padW / 14;
            int zr = padH / 14;
            float[][][] masks = new float[gw * gh][32][32];
            for (int k = 0; k < gw * gh; k++) {
                int r0 = (k / gw) * 32;
                int c0 = (k % gw) * 32;
                for (int r = 0; r < 32; r++) {
                    for (int c = 0; c < 32; c++) {
                        boolean zero = r0 + r >= 32 * gh - zr || c0 + c >= 32 * gw - zc;
                        masks[k][r][c] = zero ? 0 : 1;
                    }
                }
            }
            return new Image(gw, gh, masks, pixelSeed);
        }

        int tokens() {
            return VisionGraph.tokenCount(hdMasks, gh, gw);
        }
    }

    /** Runs a batch; crops padded to the batch maximum with zero pixels and all-ones masks (§7.9). */
    static Tensor run(List<Image> images) {
        int n = images.size();
        int crops = images.stream().mapToInt(i -> 1 + i.gw() * i.gh()).max().orElseThrow();
        int cropPixels = 3 * S * S;
        float[] pixels = new float[n * crops * cropPixels];
        float[] masks = new float[n * crops * 32 * 32];
        long[] sizes = new long[n * 2];
        for (int i = 0; i < n; i++) {
            Image img = images.get(i);
            sizes[2 * i] = 448L * img.gh();
            sizes[2 * i + 1] = 448L * img.gw();
            for (int k = 0; k < crops; k++) {
                int maskBase = (i * crops + k) * 1024;
                boolean hd = k >= 1 && k <= img.gw() * img.gh();
                for (int p = 0; p < 1024; p++) {
                    masks[maskBase + p] = hd ? img.hdMasks()[k - 1][p / 32][p % 32] : 1f;
                }
                if (k <= img.gw() * img.gh()) {
                    float[] pattern = new float[977];
                    for (int p = 0; p < pattern.length; p++) {
                        pattern[p] = (float) Math.sin(img.pixelSeed() * (1 + p) + k);
                    }
                    int base = (i * crops + k) * cropPixels;
                    for (int p = 0; p < cropPixels; p++) {
                        pixels[base + p] = pattern[p % 977];
                    }
                }
            }
        }
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("pixel_values", Tensor.f32(pixels, n, crops, 3, S, S));
        in.put("image_attention_mask", Tensor.f32(masks, n, crops, 32, 32));
        in.put("image_sizes", Tensor.i64(sizes, n, 2));
        return vision.run(in).get("image_features");
    }

    @Test
    void rowCountsFollowTheTokenFormula() {
        // §7.12 worked examples: 640×480 → 1065, 448×448 → 545, 300×200 → 460, 100×2000 → 673
        int[][] cases = {{640, 480, 1065}, {448, 448, 545}, {300, 200, 460}, {100, 2000, 673}, {1000, 1000, 2625}};
        for (int[] c : cases) {
            Image image = Image.of(c[0], c[1], 0.5f);
            assertThat(image.tokens()).as("formula %dx%d", c[0], c[1]).isEqualTo(c[2]);
            assertThat(run(List.of(image)).shape()).as("%dx%d", c[0], c[1]).containsExactly(c[2], H);
        }
    }

    @Test
    void imagesAreConcatenatedInOrderAndEachDependsOnItsPixels() {
        Image a = Image.of(640, 480, 0.25f);
        Image b = Image.of(448, 448, 0.75f);
        float[] batch = run(List.of(a, b)).floats();
        float[] aloneA = run(List.of(a)).floats();
        float[] aloneB = run(List.of(b)).floats();
        assertThat(batch).hasSize((1065 + 545) * H);
        assertThat(Arrays.copyOfRange(batch, 0, 1065 * H)).containsExactly(aloneA);
        assertThat(Arrays.copyOfRange(batch, 1065 * H, batch.length)).containsExactly(aloneB);

        float[] otherPixels = run(List.of(Image.of(448, 448, 0.9f))).floats();
        assertThat(otherPixels).hasSize(aloneB.length);
        int differing = 0;
        for (int i = 0; i < H; i++) {
            differing += Math.abs(otherPixels[i] - aloneB[i]) > 1e-3 ? 1 : 0;
        }
        assertThat(differing).isGreaterThan(H / 2);
    }
}
