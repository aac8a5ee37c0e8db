package dev.phi4ee.core.vision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.TensorFloatType;
import dev.phi4ee.core.testkit.GoldenInputs;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exact comparison with references produced by Pillow and torch (core/src/test/resources/golden/make_golden.py) from
 * inputs this test generates with the same integer formulas ({@link GoldenInputs}). Always on: the references are
 * committed, so "pixel-exact" does not depend on a Python being installed ({@link PillowParityTest} stays as a
 * second line on wider inputs where one is).
 */
class GoldenImageTest {

    private static final int S = VisionProcessorConfig.CROP_SIZE;
    private static final int CROP = 3 * S * S;

    /** Pillow {@code Image.resize(BILINEAR)}: upscale, downscale, exactly 3×, one axis kept, mixed, 21× down. */
    @ParameterizedTest(name = "{0}×{1} → {2}×{3}")
    @CsvSource({
        "29, 17, 70, 41",
        "61, 47, 20, 15",
        "90, 60, 30, 20",
        "45, 45, 45, 30",
        "64, 40, 43, 71",
        "500, 40, 23, 7"
    })
    void bilinearResizeEqualsPillow(int w, int h, int outW, int outH) {
        byte[] expected = GoldenInputs.bytes("resize-" + w + "x" + h + "-to-" + outW + "x" + outH + ".rgb");
        byte[] actual = BilinearAntialiasResizer.resize(GoldenInputs.imageRgb(w, h), w, h, outW, outH);
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            int p = i / 3;
            assertThat(actual[i] & 0xFF)
                    .as("pixel (%d, %d) channel %d", p % outW, p / outW, i % 3)
                    .isEqualTo(expected[i] & 0xFF);
        }
    }

    /** Pillow's alpha_composite on white for every (value, alpha) pair, through both raster layouts and a PNG. */
    @ParameterizedTest
    @ValueSource(strings = {"int-argb", "4byte-abgr", "png"})
    void alphaOnWhiteEqualsPillow(String route) throws Exception {
        byte[] expected = GoldenInputs.bytes("over-white.gray.gz"); // [alpha][value]
        BufferedImage img = new BufferedImage(
                256, 256, route.equals("4byte-abgr") ? BufferedImage.TYPE_4BYTE_ABGR : BufferedImage.TYPE_INT_ARGB);
        for (int a = 0; a < 256; a++) {
            for (int v = 0; v < 256; v++) {
                // R = v, G = 255 − v, B = v: the channels are independent, so each is checked against the table.
                img.setRGB(v, a, a << 24 | v << 16 | (255 - v) << 8 | v);
            }
        }
        RgbImage rgb;
        if (route.equals("png")) {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(img, "png", png);
            ImagePreprocessor pre = new ImagePreprocessor(VisionProcessorConfig.defaults(), 1 << 20, 1, 72);
            rgb = pre.decode(new Media(png.toByteArray(), null, "alpha.png")).get(0);
        } else {
            rgb = RawSampleConverter.toRgb(img);
        }
        for (int a = 0; a < 256; a++) {
            for (int v = 0; v < 256; v++) {
                int o = a * 256;
                assertThat(new int[] {rgb.sample(v, a, 0), rgb.sample(v, a, 1), rgb.sample(v, a, 2)})
                        .as("%s: value %d alpha %d", route, v, a)
                        .containsExactly(expected[o + v] & 0xFF, expected[o + 255 - v] & 0xFF, expected[o + v] & 0xFF);
            }
        }
    }

    /**
     * The whole preprocessor against transformers' Phi-4 image processor steps run with Pillow and torch: the HD
     * tiles (Pillow resize, white padding, normalisation) and the global view ({@code interpolate(mode="bicubic")},
     * torch's scalar kernel) compared bit for bit through SHA-256 of the float32 tensors; a strided sample of the
     * global view is kept for the failure message.
     */
    @ParameterizedTest(name = "{0}×{1}, dynamic_hd {2}")
    @CsvSource({"640, 480, 36", "1000, 300, 36", "200, 900, 36", "1000, 1000, 4"})
    void preprocessorEqualsTorchPipeline(int w, int h, int dynamicHd) throws Exception {
        Map<String, String> golden = keyValues("pipeline-" + w + "x" + h + "-hd" + dynamicHd + ".txt");
        ImagePreprocessor pre =
                new ImagePreprocessor(VisionProcessorConfig.defaults().withDynamicHd(dynamicHd), 1 << 24, 1, 72);
        RgbImage img = new RgbImage(w, h, GoldenInputs.imageRgb(w, h));
        DynamicHdPlan plan = pre.plan(w, h);
        assertThat(plan.gridColumns() + "x" + plan.gridRows() + " resized " + plan.resizedWidth() + "x"
                        + plan.resizedHeight())
                .isEqualTo(golden.get("grid"));
        try (VisionInputs in = pre.preprocess(List.of(img), TensorFloatType.FLOAT32)) {
            int crops = Integer.parseInt(golden.get("crops"));
            assertThat(in.pixelValuesShape()).containsExactly(1, crops, 3, S, S);
            byte[] pixels = littleEndian(in.pixelValues(), crops * CROP);
            float[] global = new float[CROP];
            ByteBuffer.wrap(pixels, 0, CROP * 4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .get(global);
            assertSampleMatches(global, golden.get("global_view_every_32nd_row_and_column_float_bits"));
            assertThat(sha256(pixels, 0, CROP * 4))
                    .as("SHA-256 of the global view (every value, bit for bit)")
                    .isEqualTo(golden.get("global_view_sha256"));
            assertThat(sha256(pixels, CROP * 4, (crops - 1) * CROP * 4))
                    .as("SHA-256 of the HD tiles")
                    .isEqualTo(golden.get("tiles_sha256"));
        }
    }

    private static void assertSampleMatches(float[] global, String hexBits) {
        String[] bits = hexBits.split(" ");
        int k = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < S; y += 32) {
                for (int x = 0; x < S; x += 32, k++) {
                    float expected = Float.intBitsToFloat(Integer.parseUnsignedInt(bits[k], 16));
                    assertThat(global[(c * S + y) * S + x])
                            .as("global view channel %d (%d, %d)", c, x, y)
                            .isEqualTo(expected);
                }
            }
        }
        assertThat(k).isEqualTo(bits.length);
    }

    private static byte[] littleEndian(ByteBuffer nativeFloats, int count) {
        ByteBuffer out = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
        out.asFloatBuffer()
                .put(nativeFloats
                        .duplicate()
                        .order(ByteOrder.nativeOrder())
                        .asFloatBuffer()
                        .limit(count));
        return out.array();
    }

    private static String sha256(byte[] data, int offset, int length) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(data, offset, length);
        return HexFormat.of().formatHex(md.digest());
    }

    private static Map<String, String> keyValues(String name) {
        Map<String, String> map = new HashMap<>();
        for (String line : new String(GoldenInputs.bytes(name), StandardCharsets.US_ASCII).split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0) {
                map.put(line.substring(0, space), line.substring(space + 1));
            }
        }
        return map;
    }
}
