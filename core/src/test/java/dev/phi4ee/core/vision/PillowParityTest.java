package dev.phi4ee.core.vision;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bit-exact differential test against Pillow itself, where a Python with Pillow is installed (Debian:
 * {@code apt-get install python3-pil}); skipped otherwise. Checks the HD resize (§7.4), the alpha-on-white
 * composite and the CMYK conversion against the library the reference uses.
 */
@EnabledIf("pillowAvailable")
class PillowParityTest {

    @TempDir
    Path dir;

    @Test
    void bilinearResizeIsBitExact() throws Exception {
        int[][] cases = {
            {37, 23, 100, 61},
            {300, 200, 448, 298},
            {900, 700, 448, 348},
            {1500, 460, 896, 274},
            {1000, 1000, 448, 448},
            {5, 300, 20, 1200},
            {640, 480, 896, 672},
            {3000, 200, 3136, 209}
        };
        for (int[] c : cases) {
            RgbImage img = TestImages.synthetic(c[0], c[1], c[0] * 7L + c[1]);
            Path in = dir.resolve("in.raw");
            Path out = dir.resolve("out.raw");
            Files.write(in, img.rgb());
            python(String.format(
                    "from PIL import Image;im=Image.frombytes('RGB',(%d,%d),open('%s','rb').read());"
                            + "open('%s','wb').write(im.resize((%d,%d),Image.BILINEAR).tobytes())",
                    c[0], c[1], in, out, c[2], c[3]));
            byte[] expected = Files.readAllBytes(out);
            byte[] actual = BilinearAntialiasResizer.resize(img.rgb(), c[0], c[1], c[2], c[3]);
            assertThat(actual).as("%d×%d → %d×%d", c[0], c[1], c[2], c[3]).isEqualTo(expected);
        }
    }

    @Test
    void alphaOnWhiteAndCmykMatchPillow() throws Exception {
        Path out = dir.resolve("out.raw");
        // Every (value, alpha) pair: R = value, A = alpha; composited on white as transformers' convert_to_rgb.
        python("from PIL import Image;im=Image.new('RGBA',(256,256));"
                + "im.putdata([(x,x,x,y) for y in range(256) for x in range(256)]);"
                + "bg=Image.new('RGBA',(256,256),(255,255,255));bg.alpha_composite(im);"
                + "open('" + out + "','wb').write(bg.convert('RGB').tobytes())");
        byte[] alpha = Files.readAllBytes(out);
        for (int a = 0; a < 256; a++) {
            for (int v = 0; v < 256; v++) {
                assertThat(RawSampleConverter.overWhite(v, a))
                        .as("value %d alpha %d", v, a)
                        .isEqualTo(alpha[(a * 256 + v) * 3] & 0xFF);
            }
        }
        // CMYK → RGB: C = x, K = y.
        python("from PIL import Image;im=Image.new('CMYK',(256,256));"
                + "im.putdata([(x,0,0,y) for y in range(256) for x in range(256)]);"
                + "open('" + out + "','wb').write(im.convert('RGB').tobytes())");
        byte[] cmyk = Files.readAllBytes(out);
        for (int k = 0; k < 256; k++) {
            for (int c = 0; c < 256; c++) {
                java.awt.image.BufferedImage img = cmykPixel(c, k);
                RgbImage rgb = RawSampleConverter.toRgb(img);
                int o = (k * 256 + c) * 3;
                assertThat(new int[] {rgb.sample(0, 0, 0), rgb.sample(0, 0, 1)})
                        .as("C %d K %d", c, k)
                        .containsExactly(cmyk[o] & 0xFF, cmyk[o + 1] & 0xFF);
            }
        }
    }

    private static java.awt.image.BufferedImage cmykPixel(int c, int k) {
        var cs = new CmykTestColorSpace();
        var cm = new java.awt.image.ComponentColorModel(
                cs, false, false, java.awt.Transparency.OPAQUE, java.awt.image.DataBuffer.TYPE_BYTE);
        var raster = cm.createCompatibleWritableRaster(1, 1);
        raster.setPixel(0, 0, new int[] {c, 0, 0, k});
        return new java.awt.image.BufferedImage(cm, raster, false, null);
    }

    static boolean pillowAvailable() {
        return pythonWithPillow() != null;
    }

    private static String pythonWithPillow() {
        for (String exe : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(exe, "-c", "import PIL")
                        .redirectErrorStream(true)
                        .start();
                if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return exe;
                }
            } catch (IOException e) {
                // try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private static void python(String code) throws Exception {
        Process p = new ProcessBuilder(pythonWithPillow(), "-c", code)
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
    }
}
