package dev.phi4ee.core.vision;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;

/**
 * Turns a decoded {@link BufferedImage} into the 8-bit RGB the reference sees (§7.2), from the raster's stored
 * samples: {@code getRGB} and colour conversion ops apply embedded ICC profiles and gamma, which the reference does
 * not (tens of levels apart on Adobe RGB JPEGs).
 *
 * <ul>
 *   <li>RGB of any profile: samples as stored. Grey: replicated to R, G, B. Palette: the palette entries.
 *   <li>16-bit samples: the high byte (Pillow's {@code RGB;16B} unpacking and libpng's strip-16 do the same).
 *       Fewer than 8 bits: {@code v·255 / (2^bits − 1)} rounded down (Pillow's 1/4/5/6-bit unpackers).
 *   <li>CMYK (also from YCCK JPEGs, which the decoder turns into CMYK): Pillow's profile-free
 *       {@code cmyk2rgb}, R = (255 − K) − (C·(255 − K))/255 with its MULDIV255 rounding.
 *   <li>Alpha: composited on white with Pillow's {@code alpha_composite} fixed-point arithmetic, as the Hugging
 *       Face processor's {@code convert_to_rgb} does (see docs/decisions/vision-alpha-policy.md).
 *   <li>Any other colour space (Lab, 32-bit float samples…): converted by Java2D to sRGB as a last resort.
 * </ul>
 */
final class RawSampleConverter {

    private RawSampleConverter() {}

    static RgbImage toRgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        ColorModel cm = img.getColorModel();
        WritableRaster raster = img.getRaster();
        if (cm.isAlphaPremultiplied()) {
            img = copyUnpremultiplied(img);
            cm = img.getColorModel();
            raster = img.getRaster();
        }
        if (img.getType() == BufferedImage.TYPE_INT_RGB || img.getType() == BufferedImage.TYPE_INT_ARGB) {
            packedInts(raster, img.getType() == BufferedImage.TYPE_INT_ARGB, w, h, out);
        } else if (cm instanceof IndexColorModel icm) {
            indexed(raster, icm, w, h, out);
        } else if (isSupportedComponentModel(cm) && interleavedBytes(raster, cm, w, h, out)) {
            // fast path done
        } else if (isSupportedComponentModel(cm)) {
            generic(raster, cm, w, h, out);
        } else {
            viaJava2d(img, w, h, out);
        }
        return new RgbImage(w, h, out);
    }

    private static boolean isSupportedComponentModel(ColorModel cm) {
        int type = cm.getColorSpace().getType();
        boolean spaceOk = type == ColorSpace.TYPE_RGB || type == ColorSpace.TYPE_GRAY || type == ColorSpace.TYPE_CMYK;
        if (!spaceOk
                || cm.getTransferType() == java.awt.image.DataBuffer.TYPE_FLOAT
                || cm.getTransferType() == java.awt.image.DataBuffer.TYPE_DOUBLE) {
            return false;
        }
        for (int b = 0; b < cm.getNumComponents(); b++) {
            if (cm.getComponentSize(b) > 16) {
                return false;
            }
        }
        return cm.getNumComponents() == cm.getNumColorComponents() + (cm.hasAlpha() ? 1 : 0);
    }

    /** Writes one pixel from 8-bit colour components (ncolor = 1, 3 or 4) and alpha. */
    private static void put(byte[] out, int o, int ncolor, int c0, int c1, int c2, int c3, int alpha) {
        int r;
        int g;
        int b;
        switch (ncolor) {
            case 1 -> {
                r = c0;
                g = c0;
                b = c0;
            }
            case 3 -> {
                r = c0;
                g = c1;
                b = c2;
            }
            default -> {
                int nk = 255 - c3;
                r = clip8(nk - mulDiv255(c0, nk));
                g = clip8(nk - mulDiv255(c1, nk));
                b = clip8(nk - mulDiv255(c2, nk));
            }
        }
        if (alpha < 255) {
            r = overWhite(r, alpha);
            g = overWhite(g, alpha);
            b = overWhite(b, alpha);
        }
        out[o] = (byte) r;
        out[o + 1] = (byte) g;
        out[o + 2] = (byte) b;
    }

    /** Pillow {@code MULDIV255}: a·b/255 rounded with shifts. */
    private static int mulDiv255(int a, int b) {
        int tmp = a * b + 128;
        return ((tmp >> 8) + tmp) >> 8;
    }

    private static int clip8(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /**
     * Pillow {@code ImagingAlphaComposite} of a pixel with alpha {@code a} over opaque white (7 precision bits):
     * coef1 = a·255·255·128 / (255·255), coef2 = 255·128 − coef1, result = SHIFTFORDIV255(c·coef1 + 255·coef2 +
     * 0x80·128) >> 7.
     */
    static int overWhite(int c, int a) {
        if (a == 0) {
            return 255;
        }
        final int precisionBits = 7;
        long outa255 = (long) a * 255 + 255L * (255 - a);
        long coef1 = (long) a * 255 * 255 * (1 << precisionBits) / outa255;
        long coef2 = 255L * (1 << precisionBits) - coef1;
        long tmp = c * coef1 + 255 * coef2 + (0x80L << precisionBits);
        long div255 = ((tmp >> 8) + tmp) >> 8;
        return (int) (div255 >> precisionBits);
    }

    private static void packedInts(WritableRaster raster, boolean alpha, int w, int h, byte[] out) {
        if (!(raster.getDataBuffer() instanceof DataBufferInt dbi)
                || !(raster.getSampleModel() instanceof java.awt.image.SinglePixelPackedSampleModel sm)
                || raster.getSampleModelTranslateX() != 0
                || raster.getSampleModelTranslateY() != 0) {
            generic(raster, ColorModel.getRGBdefault(), w, h, out);
            return;
        }
        int[] data = dbi.getData();
        int stride = sm.getScanlineStride();
        int base = dbi.getOffset();
        int o = 0;
        for (int y = 0; y < h; y++) {
            int p = base + y * stride;
            for (int x = 0; x < w; x++, o += 3) {
                int v = data[p + x];
                int a = alpha ? v >>> 24 : 255;
                put(out, o, 3, (v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF, 0, a);
            }
        }
    }

    private static void indexed(Raster raster, IndexColorModel icm, int w, int h, byte[] out) {
        int n = icm.getMapSize();
        byte[] r = new byte[n];
        byte[] g = new byte[n];
        byte[] b = new byte[n];
        byte[] a = new byte[n];
        icm.getReds(r);
        icm.getGreens(g);
        icm.getBlues(b);
        icm.getAlphas(a);
        int[] row = new int[w];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++, o += 3) {
                int i = Math.min(row[x], n - 1);
                put(out, o, 3, r[i] & 0xFF, g[i] & 0xFF, b[i] & 0xFF, 0, a[i] & 0xFF);
            }
        }
    }

    /** 8-bit pixel-interleaved bytes (JPEG, PNG and most TIFF output): read the array directly. */
    private static boolean interleavedBytes(WritableRaster raster, ColorModel cm, int w, int h, byte[] out) {
        if (!(raster.getDataBuffer() instanceof DataBufferByte dbb)
                || dbb.getNumBanks() != 1
                || !(raster.getSampleModel() instanceof ComponentSampleModel sm)
                || raster.getSampleModelTranslateX() != 0
                || raster.getSampleModelTranslateY() != 0) {
            return false;
        }
        for (int c = 0; c < cm.getNumComponents(); c++) {
            if (cm.getComponentSize(c) != 8) {
                return false;
            }
        }
        int[] off = sm.getBandOffsets();
        for (int bank : sm.getBankIndices()) {
            if (bank != 0) {
                return false;
            }
        }
        int ncolor = cm.getNumColorComponents();
        boolean hasAlpha = cm.hasAlpha();
        byte[] data = dbb.getData();
        int ps = sm.getPixelStride();
        int ss = sm.getScanlineStride();
        int base = dbb.getOffset();
        int o = 0;
        for (int y = 0; y < h; y++) {
            int p = base + y * ss;
            for (int x = 0; x < w; x++, p += ps, o += 3) {
                int c0 = data[p + off[0]] & 0xFF;
                int c1 = ncolor > 1 ? data[p + off[1]] & 0xFF : 0;
                int c2 = ncolor > 2 ? data[p + off[2]] & 0xFF : 0;
                int c3 = ncolor > 3 ? data[p + off[3]] & 0xFF : 0;
                int a = hasAlpha ? data[p + off[ncolor]] & 0xFF : 255;
                put(out, o, ncolor, c0, c1, c2, c3, a);
            }
        }
        return true;
    }

    /** Any sample model: row-wise {@code getPixels}, each band reduced to 8 bits. */
    private static void generic(Raster raster, ColorModel cm, int w, int h, byte[] out) {
        int nb = raster.getNumBands();
        int ncolor = cm.getNumColorComponents();
        boolean hasAlpha = cm.hasAlpha() && nb > ncolor;
        int[] bits = new int[nb];
        for (int b = 0; b < nb; b++) {
            bits[b] = b < cm.getNumComponents() ? cm.getComponentSize(b) : 8;
        }
        int[] row = new int[w * nb];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, row);
            for (int x = 0, p = 0; x < w; x++, p += nb, o += 3) {
                int c0 = to8(row[p], bits[0]);
                int c1 = ncolor > 1 ? to8(row[p + 1], bits[1]) : 0;
                int c2 = ncolor > 2 ? to8(row[p + 2], bits[2]) : 0;
                int c3 = ncolor > 3 ? to8(row[p + 3], bits[3]) : 0;
                int a = hasAlpha ? to8(row[p + ncolor], bits[ncolor]) : 255;
                put(out, o, ncolor, c0, c1, c2, c3, a);
            }
        }
    }

    static int to8(int v, int bits) {
        if (bits == 8) {
            return v & 0xFF;
        }
        if (bits == 16) {
            return (v >> 8) & 0xFF;
        }
        if (bits < 8) {
            return v * 255 / ((1 << bits) - 1);
        }
        return (int) ((long) v * 255 / ((1L << bits) - 1));
    }

    private static BufferedImage copyUnpremultiplied(BufferedImage img) {
        ColorModel cm = img.getColorModel();
        WritableRaster copy = img.copyData(null);
        ColorModel straight = cm.coerceData(copy, false);
        return new BufferedImage(straight, copy, false, null);
    }

    /** Last resort for colour spaces the reference has no raw equivalent for: Java2D's sRGB conversion. */
    private static void viaJava2d(BufferedImage img, int w, int h, byte[] out) {
        int[] row = new int[w];
        int o = 0;
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++, o += 3) {
                int v = row[x];
                put(out, o, 3, (v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF, 0, v >>> 24);
            }
        }
    }
}
