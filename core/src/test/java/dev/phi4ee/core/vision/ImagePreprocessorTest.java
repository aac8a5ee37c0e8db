package dev.phi4ee.core.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.TensorFloatType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Pixel values, masks, sizes and batch layout of the vision tensors (reference §7.4–§7.9). */
class ImagePreprocessorTest {

    private static final int S = 448;
    private static final int PLANE = S * S;
    private static final int CROP = 3 * PLANE;

    private final ImagePreprocessor pre = new ImagePreprocessor(VisionProcessorConfig.defaults(), 100_000_000, 20, 200);

    @Test
    void a448SquareIsItsOwnGlobalViewAndCrop() {
        RgbImage img = TestImages.synthetic(S, S, 1);
        try (VisionInputs in = pre.preprocess(List.of(img), TensorFloatType.FLOAT32)) {
            assertThat(in.pixelValuesShape()).containsExactly(1, 2, 3, S, S);
            float[] px = floats(in.pixelValues());
            float[] expected = new float[CROP];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < S; y++) {
                    for (int x = 0; x < S; x++) {
                        expected[(c * S + y) * S + x] = (img.sample(x, y, c) / 255f - 0.5f) / 0.5f;
                    }
                }
            }
            // Global view (t = 0 ⇒ weights 0, 1, 0, 0) and the single HD crop both equal the normalised image.
            assertThat(java.util.Arrays.copyOfRange(px, 0, CROP)).isEqualTo(expected);
            assertThat(java.util.Arrays.copyOfRange(px, CROP, 2 * CROP)).isEqualTo(expected);
            assertThat(in.numImageTokens()).containsExactly(545);
            assertThat(longs(in.imageSizes())).containsExactly(448, 448);
            assertThat(floats(in.imageAttentionMask())).containsOnly(1f);
        }
    }

    /**
     * HD crops and the global view against the direct double-precision formulas of {@link ReferenceMath}, within
     * the tolerance (max ≤ 0.02, mean ≤ 0.002 in normalised units). Covers upscaling, padding on either
     * side and antialiased downscaling (small dynamic_hd forces the search branch to shrink).
     */
    @ParameterizedTest(name = "{0}×{1}, dynamic_hd {2}")
    @CsvSource({"300, 200, 36", "500, 470, 36", "130, 700, 36", "900, 700, 2", "1500, 460, 2", "1000, 1000, 1"})
    void pixelsMatchAnIndependentComputation(int w, int h, int dynamicHd) {
        RgbImage img = TestImages.synthetic(w, h, w * 31L + h);
        ImagePreprocessor p =
                new ImagePreprocessor(VisionProcessorConfig.defaults().withDynamicHd(dynamicHd), 100_000_000, 20, 200);
        DynamicHdPlan plan = p.plan(w, h);
        int canvasW = plan.canvasWidth();
        int canvasH = plan.canvasHeight();
        double[][][] canvas = new double[3][canvasH][canvasW];
        for (int c = 0; c < 3; c++) {
            int[][] resized = ReferenceMath.bilinearAntialias(img, c, plan.resizedWidth(), plan.resizedHeight());
            for (int y = 0; y < canvasH; y++) {
                for (int x = 0; x < canvasW; x++) {
                    boolean inside = y < plan.resizedHeight() && x < plan.resizedWidth();
                    canvas[c][y][x] = inside ? ReferenceMath.normalise(resized[y][x]) : 1.0;
                }
            }
        }
        try (VisionInputs in = p.preprocess(List.of(img), TensorFloatType.FLOAT32)) {
            FloatBuffer px = in.pixelValues().asFloatBuffer();
            Error hd = new Error();
            for (int r = 0; r < plan.gridRows(); r++) {
                for (int col = 0; col < plan.gridColumns(); col++) {
                    int crop = 1 + r * plan.gridColumns() + col;
                    for (int c = 0; c < 3; c++) {
                        for (int y = 0; y < S; y++) {
                            for (int x = 0; x < S; x++) {
                                double expected = canvas[c][r * S + y][col * S + x];
                                hd.add(px.get(crop * CROP + (c * S + y) * S + x) - expected);
                            }
                        }
                    }
                }
            }
            Error global = new Error();
            for (int c = 0; c < 3; c++) {
                double[][] g = ReferenceMath.bicubic(canvas[c], S);
                for (int y = 0; y < S; y++) {
                    for (int x = 0; x < S; x++) {
                        global.add(px.get((c * S + y) * S + x) - g[y][x]);
                    }
                }
            }
            System.out.printf(
                    "%dx%d dhd %d: HD max %.5f mean %.6f, global max %.5f mean %.6f%n",
                    w, h, dynamicHd, hd.max, hd.mean(), global.max, global.mean());
            assertThat(hd.max).as("HD crops max abs error").isLessThanOrEqualTo(0.02);
            assertThat(hd.mean()).as("HD crops mean abs error").isLessThanOrEqualTo(0.002);
            assertThat(global.max).as("global view max abs error").isLessThanOrEqualTo(0.02);
            assertThat(global.mean()).as("global view mean abs error").isLessThanOrEqualTo(0.002);
        }
    }

    @Test
    void masksZeroThePaddedPatchRowsAndColumns() {
        // 640×480: grid 2×2, pad bottom 224 → 16 zero mask rows in the bottom crops (§7.12).
        try (VisionInputs in = pre.preprocess(List.of(TestImages.synthetic(640, 480, 3)), TensorFloatType.FLOAT32)) {
            float[] mask = floats(in.imageAttentionMask());
            assertThat(mask).hasSize(5 * 32 * 32);
            for (int crop = 0; crop < 5; crop++) {
                for (int i = 0; i < 32; i++) {
                    for (int j = 0; j < 32; j++) {
                        boolean bottomCrop = crop >= 3;
                        float expected = bottomCrop && i >= 16 ? 0f : 1f;
                        assertThat(mask[(crop * 32 + i) * 32 + j]).isEqualTo(expected);
                    }
                }
            }
            // White padding is +1.0 in the padded region of crop 3 (row 300 of 448 is below 672 − 448 = 224).
            FloatBuffer px = in.pixelValues().asFloatBuffer();
            assertThat(px.get(3 * CROP + 300 * S + 10)).isEqualTo(1f);
        }
        // 100×2000: grid 1×5, pad right 336 → 24 zero mask columns in every HD crop.
        try (VisionInputs in = pre.preprocess(List.of(TestImages.synthetic(100, 2000, 4)), TensorFloatType.FLOAT32)) {
            float[] mask = floats(in.imageAttentionMask());
            for (int crop = 1; crop < 6; crop++) {
                for (int j = 0; j < 32; j++) {
                    assertThat(mask[(crop * 32 + 5) * 32 + j]).isEqualTo(j >= 8 ? 0f : 1f);
                }
            }
        }
    }

    @Test
    void batchPadsToTheLargestCropCountWithZeroCropsAndOnesMasks() {
        RgbImage small = TestImages.synthetic(300, 200, 5); // 2 crops, 460 tokens
        RgbImage large = TestImages.synthetic(640, 480, 6); // 5 crops, 1065 tokens
        try (VisionInputs in = pre.preprocess(List.of(small, large), TensorFloatType.FLOAT32)) {
            assertThat(in.maxCrops()).isEqualTo(5);
            assertThat(in.pixelValuesShape()).containsExactly(2, 5, 3, S, S);
            assertThat(in.imageAttentionMaskShape()).containsExactly(2, 5, 32, 32);
            assertThat(in.imageSizesShape()).containsExactly(2, 2);
            assertThat(in.numImageTokens()).containsExactly(460, 1065);
            assertThat(in.totalImageTokens()).isEqualTo(1525);
            assertThat(longs(in.imageSizes())).containsExactly(448, 448, 896, 896);
            FloatBuffer px = in.pixelValues().asFloatBuffer();
            assertThat(px.capacity()).isEqualTo(2 * 5 * CROP);
            for (int crop = 2; crop < 5; crop++) {
                for (int i = 0; i < CROP; i += 997) {
                    assertThat(px.get(crop * CROP + i)).isZero();
                }
            }
            float[] mask = floats(in.imageAttentionMask());
            for (int i = 2 * 1024; i < 5 * 1024; i++) {
                assertThat(mask[i]).isEqualTo(1f);
            }
            // The second image starts at crop 5 and its crops equal a preprocessing of it alone.
            try (VisionInputs alone = pre.preprocess(List.of(large), TensorFloatType.FLOAT32)) {
                FloatBuffer a = alone.pixelValues().asFloatBuffer();
                for (int i = 0; i < 5 * CROP; i += 101) {
                    assertThat(px.get(5 * CROP + i)).isEqualTo(a.get(i));
                }
            }
        }
    }

    @Test
    void fp16OutputIsTheRoundedFp32Output() {
        List<RgbImage> imgs = List.of(TestImages.synthetic(640, 480, 7), TestImages.synthetic(300, 200, 8));
        try (VisionInputs f32 = pre.preprocess(imgs, TensorFloatType.FLOAT32);
                VisionInputs f16 = pre.preprocess(imgs, TensorFloatType.FLOAT16)) {
            assertThat(f16.floatType()).isEqualTo(TensorFloatType.FLOAT16);
            ByteBuffer a = f32.pixelValues();
            ByteBuffer h = f16.pixelValues();
            assertThat(h.limit()).isEqualTo(a.limit() / 2);
            for (int i = 0; i < a.limit() / 4; i++) {
                assertThat(h.getShort(i * 2)).isEqualTo(Float.floatToFloat16(a.getFloat(i * 4)));
            }
            ByteBuffer ma = f32.imageAttentionMask();
            ByteBuffer mh = f16.imageAttentionMask();
            for (int i = 0; i < ma.limit() / 4; i++) {
                assertThat(Float.float16ToFloat(mh.getShort(i * 2))).isEqualTo(ma.getFloat(i * 4));
            }
            assertThat(longs(f16.imageSizes())).containsExactly(longs(f32.imageSizes()));
        }
    }

    @Test
    void maskTypeIsIndependentOfThePixelType() {
        List<RgbImage> imgs = List.of(TestImages.synthetic(640, 480, 7), TestImages.synthetic(300, 200, 8));
        try (VisionInputs f32 = pre.preprocess(imgs, TensorFloatType.FLOAT32);
                VisionInputs mixed = pre.preprocess(imgs, TensorFloatType.FLOAT32, TensorFloatType.FLOAT16)) {
            assertThat(mixed.floatType()).isEqualTo(TensorFloatType.FLOAT32);
            assertThat(mixed.maskType()).isEqualTo(TensorFloatType.FLOAT16);
            assertThat(mixed.pixelValues()).isEqualTo(f32.pixelValues()); // ByteBuffer: same content
            ByteBuffer ma = f32.imageAttentionMask();
            ByteBuffer mh = mixed.imageAttentionMask();
            assertThat(mh.limit()).isEqualTo(ma.limit() / 2);
            float[] expected = floats(ma);
            assertThat(expected).contains(0f, 1f); // the 300×200 image is padded, so the mask has zeros
            for (int i = 0; i < expected.length; i++) {
                assertThat(Float.float16ToFloat(mh.getShort(i * 2))).isEqualTo(expected[i]);
            }
        }
    }

    @Test
    void buffersAreNativeOrderDirectAndReturnedOnClose() {
        VisionInputs in = pre.preprocess(List.of(TestImages.synthetic(50, 50, 9)), TensorFloatType.FLOAT16);
        ByteBuffer px = in.pixelValues();
        assertThat(px.isDirect()).isTrue();
        assertThat(px.order()).isEqualTo(ByteOrder.nativeOrder());
        assertThat(px.position()).isZero();
        assertThat(in.imageSizes().order()).isEqualTo(ByteOrder.nativeOrder());
        in.close();
        in.close(); // idempotent
        assertThatThrownBy(in::pixelValues).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRejectedImageLeavesNothingTakenAndThePreprocessorUsable() {
        ImagePreprocessor p = new ImagePreprocessor(VisionProcessorConfig.defaults(), 1_000_000, 2, 72);
        p.preprocess(List.of(TestImages.synthetic(64, 64, 1)), TensorFloatType.FLOAT32)
                .close();
        long parked = poolBytes(p);
        RgbImage extreme = new RgbImage(4000, 1, new byte[4000 * 3]); // resize height 0 < 10 (§7.4 error)
        assertThatThrownBy(
                        () -> p.preprocess(List.of(TestImages.synthetic(64, 64, 1), extreme), TensorFloatType.FLOAT32))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("aspect ratio is very extreme");
        assertThat(poolBytes(p)).isEqualTo(parked);
        assertThatThrownBy(() -> p.preprocess(List.of(), TensorFloatType.FLOAT32))
                .isInstanceOf(InvalidInputException.class);
        try (VisionInputs ok = p.preprocess(List.of(TestImages.synthetic(448, 448, 2)), TensorFloatType.FLOAT32)) {
            assertThat(ok.numImageTokens()).containsExactly(545);
        }
    }

    @Test
    void concurrentRequestsSharingThePoolGetTheirOwnCorrectBuffers() throws Exception {
        List<RgbImage> a = List.of(TestImages.synthetic(640, 480, 11));
        List<RgbImage> b = List.of(TestImages.synthetic(300, 900, 12));
        float[] expectA;
        float[] expectB;
        try (VisionInputs in = pre.preprocess(a, TensorFloatType.FLOAT32)) {
            expectA = floats(in.pixelValues());
        }
        try (VisionInputs in = pre.preprocess(b, TensorFloatType.FLOAT32)) {
            expectB = floats(in.pixelValues());
        }
        var pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 9; i++) {
                boolean first = i % 2 == 0;
                results.add(pool.submit(() -> {
                    try (VisionInputs in = pre.preprocess(first ? a : b, TensorFloatType.FLOAT32)) {
                        return java.util.Arrays.equals(floats(in.pixelValues()), first ? expectA : expectB);
                    }
                }));
            }
            for (var r : results) {
                assertThat(r.get()).isTrue();
            }
        } finally {
            pool.shutdown();
        }
    }

    private static long poolBytes(ImagePreprocessor p) {
        try {
            var f = ImagePreprocessor.class.getDeclaredField("pool");
            f.setAccessible(true);
            return ((DirectBufferPool) f.get(p)).retainedBytes();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    static float[] floats(ByteBuffer b) {
        float[] out = new float[b.limit() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    static long[] longs(ByteBuffer b) {
        long[] out = new long[b.limit() / 8];
        b.asLongBuffer().get(out);
        return out;
    }

    /** Running max and mean of absolute errors. */
    private static final class Error {
        double max;
        double sum;
        long n;

        void add(double d) {
            max = Math.max(max, Math.abs(d));
            sum += Math.abs(d);
            n++;
        }

        double mean() {
            return sum / n;
        }
    }
}
