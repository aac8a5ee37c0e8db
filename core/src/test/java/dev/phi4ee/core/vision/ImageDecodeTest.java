package dev.phi4ee.core.vision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.Media;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every supported format round-trips from generated content into the RGB the reference sees (§7.2). */
class ImageDecodeTest {

    private final ImagePreprocessor pre = new ImagePreprocessor(VisionProcessorConfig.defaults(), 100_000_000, 20, 72);

    private RgbImage decodeOne(byte[] data) {
        List<RgbImage> pages = pre.decode(new Media(data, null, "test"));
        assertThat(pages).hasSize(1);
        return pages.get(0);
    }

    @Test
    void pngRgbIsExact() {
        BufferedImage src = TestImages.drawing(120, 80, BufferedImage.TYPE_3BYTE_BGR);
        assertExact(decodeOne(MediaEncoders.write(src, "png")), src);
    }

    @Test
    void bmpIsExact() {
        BufferedImage src = TestImages.drawing(97, 41, BufferedImage.TYPE_3BYTE_BGR);
        assertExact(decodeOne(MediaEncoders.write(src, "bmp")), src);
    }

    @Test
    void lzwTiffIsExact() {
        BufferedImage src = TestImages.drawing(64, 50, BufferedImage.TYPE_3BYTE_BGR);
        assertExact(decodeOne(MediaEncoders.tiff(List.of(src), "LZW")), src);
    }

    @Test
    void greyPngAndJpegAreReplicatedToRgb() {
        BufferedImage grey = TestImages.drawing(90, 60, BufferedImage.TYPE_BYTE_GRAY);
        RgbImage png = decodeOne(MediaEncoders.write(grey, "png"));
        assertExact(png, grey);
        RgbImage jpg = decodeOne(MediaEncoders.jpeg(grey, 0.95f, false));
        assertThat(jpg.sample(10, 10, 0)).isEqualTo(jpg.sample(10, 10, 1)).isEqualTo(jpg.sample(10, 10, 2));
        assertThat(meanAbsDiff(jpg, grey)).isLessThan(3);
    }

    @Test
    void sixteenBitPngKeepsTheHighByte() {
        // 16-bit RGB and grey PNG from raw rasters: the high byte comes back.
        int w = 16;
        int h = 16;
        var cs = java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB);
        var cm = new java.awt.image.ComponentColorModel(
                cs, false, false, java.awt.Transparency.OPAQUE, java.awt.image.DataBuffer.TYPE_USHORT);
        WritableRaster r = cm.createCompatibleWritableRaster(w, h);
        var gcm = new java.awt.image.ComponentColorModel(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY),
                false,
                false,
                java.awt.Transparency.OPAQUE,
                java.awt.image.DataBuffer.TYPE_USHORT);
        WritableRaster g = gcm.createCompatibleWritableRaster(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = (y * w + x) % 255;
                r.setPixel(x, y, new int[] {v * 256 + 255, (255 - v) * 257, v * 256});
                g.setSample(x, y, 0, v * 256 + 200);
            }
        }
        RgbImage rgb = decodeOne(MediaEncoders.write(new BufferedImage(cm, r, false, null), "png"));
        RgbImage grey = decodeOne(MediaEncoders.write(new BufferedImage(gcm, g, false, null), "png"));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = (y * w + x) % 255;
                assertThat(new int[] {rgb.sample(x, y, 0), rgb.sample(x, y, 1), rgb.sample(x, y, 2)})
                        .containsExactly(v, 255 - v, v);
                assertThat(grey.sample(x, y, 0)).isEqualTo(v);
                assertThat(grey.sample(x, y, 2)).isEqualTo(v);
            }
        }
    }

    @Test
    void paletteGifAndPngUseThePaletteEntries() {
        byte[] reds = {0, (byte) 200, 10, (byte) 255};
        byte[] greens = {0, 20, (byte) 180, (byte) 255};
        byte[] blues = {0, 40, 90, (byte) 255};
        IndexColorModel icm = new IndexColorModel(2, 4, reds, greens, blues);
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_INDEXED, icm);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                img.getRaster().setSample(x, y, 0, (x / 5 + y / 3) % 4);
            }
        }
        assertExact(decodeOne(MediaEncoders.write(img, "gif")), img);
        assertExact(decodeOne(MediaEncoders.write(img, "png")), img);
    }

    @Test
    void alphaIsCompositedOnWhite() {
        BufferedImage argb = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                int a = y * 36; // 0 … 252
                argb.setRGB(x, y, (a << 24) | (x * 30 << 16) | (100 << 8) | 20);
            }
        }
        RgbImage rgb = decodeOne(MediaEncoders.write(argb, "png"));
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                int a = y * 36;
                assertThat(rgb.sample(x, y, 0)).isEqualTo(RawSampleConverter.overWhite(x * 30, a));
                assertThat(rgb.sample(x, y, 1)).isEqualTo(RawSampleConverter.overWhite(100, a));
            }
        }
        assertThat(rgb.sample(3, 0, 0)).isEqualTo(255); // fully transparent → white
        assertThat(RawSampleConverter.overWhite(0, 128)).isBetween(126, 128); // half black on white ≈ mid grey
    }

    @Test
    void baselineAndProgressiveJpegDecodeCloseToTheSource() {
        BufferedImage src = TestImages.drawing(200, 150, BufferedImage.TYPE_3BYTE_BGR);
        RgbImage baseline = decodeOne(MediaEncoders.jpeg(src, 0.95f, false));
        RgbImage progressive = decodeOne(MediaEncoders.jpeg(src, 0.95f, true));
        assertThat(meanAbsDiff(baseline, src)).isLessThan(3);
        assertThat(progressive.rgb()).isEqualTo(baseline.rgb()); // same coefficients, same pixels
    }

    @Test
    void cmykAndYcckJpegUsePillowsProfileFreeConversion() {
        // Quadrants: no ink (white), full cyan, full K (black), 50 % magenta.
        WritableRaster cmyk =
                java.awt.image.Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, 64, 64, 4, null);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int q = (y / 32) * 2 + x / 32;
                int[] px =
                        switch (q) {
                            case 0 -> new int[] {0, 0, 0, 0};
                            case 1 -> new int[] {255, 0, 0, 0};
                            case 2 -> new int[] {0, 0, 0, 255};
                            default -> new int[] {0, 128, 0, 0};
                        };
                cmyk.setPixel(x, y, px);
            }
        }
        for (boolean ycck : new boolean[] {false, true}) {
            RgbImage rgb = decodeOne(MediaEncoders.cmykJpeg(cmyk, ycck));
            String label = ycck ? "YCCK" : "CMYK";
            assertThat(pixel(rgb, 16, 16)).as(label + " white").satisfies(p -> near(p, 255, 255, 255));
            assertThat(pixel(rgb, 48, 16)).as(label + " cyan").satisfies(p -> near(p, 0, 255, 255));
            assertThat(pixel(rgb, 16, 48)).as(label + " black").satisfies(p -> near(p, 0, 0, 0));
            assertThat(pixel(rgb, 48, 48)).as(label + " magenta").satisfies(p -> near(p, 255, 127, 255));
        }
    }

    @Test
    void embeddedIccProfilesAreNotApplied() {
        // Flat mid grey tagged with the linear-RGB profile: colour management would move 128 by tens of levels.
        BufferedImage flat = new BufferedImage(32, 32, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = flat.createGraphics();
        g.setColor(new Color(128, 64, 200));
        g.fillRect(0, 0, 32, 32);
        g.dispose();
        byte[] jpeg = MediaEncoders.jpegWithIccProfile(
                flat, java.awt.color.ICC_Profile.getInstance(java.awt.color.ColorSpace.CS_LINEAR_RGB));
        assertThat(pixel(decodeOne(jpeg), 16, 16)).satisfies(p -> near(p, 128, 64, 200));
    }

    @Test
    void samplesInAnIccColourSpaceAreReadAsStored() {
        // A raster tagged with the linear-RGB profile: getRGB would convert 128 to about 188.
        var cs = new java.awt.color.ICC_ColorSpace(
                java.awt.color.ICC_Profile.getInstance(java.awt.color.ColorSpace.CS_LINEAR_RGB));
        var cm = new java.awt.image.ComponentColorModel(
                cs, false, false, java.awt.Transparency.OPAQUE, java.awt.image.DataBuffer.TYPE_BYTE);
        WritableRaster r = cm.createCompatibleWritableRaster(2, 2);
        r.setPixel(1, 1, new int[] {128, 64, 200});
        BufferedImage img = new BufferedImage(cm, r, false, null);
        assertThat((img.getRGB(1, 1) >> 16) & 0xFF).isGreaterThan(150);
        assertThat(pixel(RawSampleConverter.toRgb(img), 1, 1)).containsExactly(128, 64, 200);
    }

    @Test
    void multiPageG4TiffGivesOnePagePerImage() {
        List<BufferedImage> pages = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            BufferedImage page = new BufferedImage(300, 200, BufferedImage.TYPE_BYTE_BINARY);
            Graphics2D g = page.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, 300, 200);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SERIF, Font.PLAIN, 28));
            g.drawString("Fax page " + (i + 1), 20, 60 + 40 * i);
            g.fillRect(10 + i * 50, 150, 40, 20);
            g.dispose();
            pages.add(page);
        }
        byte[] tiff = MediaEncoders.tiff(pages, "CCITT T.6");
        assertThat(pre.probe(Media.of(tiff)))
                .containsExactly(new PageSize(300, 200), new PageSize(300, 200), new PageSize(300, 200));
        List<RgbImage> decoded = pre.decode(Media.of(tiff));
        assertThat(decoded).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertExact(decoded.get(i), pages.get(i));
        }
    }

    @Test
    void webpLosslessIsExactIncludingAlpha() {
        int w = 23;
        int h = 17;
        int[] argb = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int a = (x + y) % 3 == 0 ? 0x80 : 0xFF;
                int r = x % 2 == 0 ? 0x10 : 0xF0;
                int g = y % 2 == 0 ? 0x33 : 0x99;
                int b = (x / 4) % 2 == 0 ? 0x05 : 0xC8;
                argb[y * w + x] = a << 24 | r << 16 | g << 8 | b;
            }
        }
        RgbImage rgb = decodeOne(WebPLosslessWriter.encode(w, h, argb));
        assertThat(rgb.width()).isEqualTo(w);
        assertThat(rgb.height()).isEqualTo(h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = argb[y * w + x];
                int a = p >>> 24;
                assertThat(pixel(rgb, x, y))
                        .as("(%d,%d)", x, y)
                        .containsExactly(
                                RawSampleConverter.overWhite((p >> 16) & 0xFF, a),
                                RawSampleConverter.overWhite((p >> 8) & 0xFF, a),
                                RawSampleConverter.overWhite(p & 0xFF, a));
            }
        }
    }

    @Test
    void pdfPagesRenderAtTheConfiguredDpi() {
        byte[] pdf = MediaEncoders.pdf(2, null, null);
        List<RgbImage> pages = pre.decode(Media.of(pdf));
        assertThat(pages).hasSize(2);
        assertThat(pre.probe(Media.of(pdf))).containsExactly(new PageSize(595, 841), new PageSize(595, 841));
        // A4 = 595.28 × 841.89 pt at 72 DPI → floor → 595 × 841.
        assertThat(pages.get(0).width()).isEqualTo(595);
        assertThat(pages.get(0).height()).isEqualTo(841);
        assertThat(pixel(pages.get(1), 108, 108)).containsExactly(255, 0, 0); // inside the red square
        assertThat(pixel(pages.get(1), 300, 20)).containsExactly(255, 255, 255); // white page
        ImagePreprocessor hiRes = new ImagePreprocessor(VisionProcessorConfig.defaults(), 100_000_000, 20, 144);
        assertThat(hiRes.decode(Media.of(pdf)).get(0).width()).isEqualTo(1190);
    }

    @Test
    void ownerPasswordOnlyPdfStillRenders() {
        byte[] pdf = MediaEncoders.pdf(1, null, "owner-secret");
        assertThat(pre.decode(Media.of(pdf))).hasSize(1);
    }

    @Test
    void formatComesFromTheBytesNotTheDeclaredTypeOrName() {
        BufferedImage src = TestImages.drawing(30, 20, BufferedImage.TYPE_3BYTE_BGR);
        byte[] png = MediaEncoders.write(src, "png");
        assertThat(pre.probe(new Media(png, "image/jpeg", "photo.jpg"))).containsExactly(new PageSize(30, 20));
        assertExact(pre.decode(new Media(png, "image/jpeg", "photo.jpg")).get(0), src);
    }

    static int[] pixel(RgbImage img, int x, int y) {
        return new int[] {img.sample(x, y, 0), img.sample(x, y, 1), img.sample(x, y, 2)};
    }

    private static void near(int[] p, int r, int g, int b) {
        assertThat(Math.abs(p[0] - r)).as("R %d vs %d", p[0], r).isLessThanOrEqualTo(4);
        assertThat(Math.abs(p[1] - g)).as("G %d vs %d", p[1], g).isLessThanOrEqualTo(4);
        assertThat(Math.abs(p[2] - b)).as("B %d vs %d", p[2], b).isLessThanOrEqualTo(4);
    }

    /** The decoded RGB equals the source's sRGB pixels (sources here carry no colour profile). */
    private static void assertExact(RgbImage actual, BufferedImage expected) {
        assertThat(actual.width()).isEqualTo(expected.getWidth());
        assertThat(actual.height()).isEqualTo(expected.getHeight());
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                int v = expected.getRGB(x, y);
                int[] want = {(v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF};
                if (expected.getType() == BufferedImage.TYPE_BYTE_GRAY) {
                    int s = expected.getRaster().getSample(x, y, 0); // getRGB would gamma-convert grey
                    want = new int[] {s, s, s};
                }
                int[] got = pixel(actual, x, y);
                if (got[0] != want[0] || got[1] != want[1] || got[2] != want[2]) {
                    throw new AssertionError("pixel (" + x + "," + y + ") expected " + java.util.Arrays.toString(want)
                            + " but was " + java.util.Arrays.toString(got));
                }
            }
        }
    }

    private static double meanAbsDiff(RgbImage actual, BufferedImage expected) {
        double sum = 0;
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                int v = expected.getRGB(x, y);
                int[] want = {(v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF};
                if (expected.getType() == BufferedImage.TYPE_BYTE_GRAY) {
                    int s = expected.getRaster().getSample(x, y, 0);
                    want = new int[] {s, s, s};
                }
                for (int c = 0; c < 3; c++) {
                    sum += Math.abs(actual.sample(x, y, c) - want[c]);
                }
            }
        }
        return sum / (3.0 * expected.getWidth() * expected.getHeight());
    }
}
