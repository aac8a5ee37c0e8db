package dev.phi4ee.core.vision;

import java.io.ByteArrayOutputStream;

/**
 * A tiny WebP lossless (VP8L) encoder for tests, since no Java WebP writer is available here: no transforms, no
 * colour cache, one prefix-code group of "simple" codes, so each channel may take at most two distinct values
 * (enough for two-colour test patterns with and without alpha). Follows the VP8L bitstream specification.
 */
final class WebPLosslessWriter {

    private WebPLosslessWriter() {}

    /** Encodes ARGB pixels; each of A, R, G, B may take at most 2 distinct values over the image. */
    static byte[] encode(int w, int h, int[] argb) {
        Bits bits = new Bits();
        bits.put(0x2f, 8); // VP8L signature
        bits.put(w - 1, 14);
        bits.put(h - 1, 14);
        boolean alpha = false;
        for (int p : argb) {
            alpha |= (p >>> 24) != 0xFF;
        }
        bits.put(alpha ? 1 : 0, 1);
        bits.put(0, 3); // version
        bits.put(0, 1); // no transform
        bits.put(0, 1); // no colour cache
        bits.put(0, 1); // no meta prefix codes
        int[] shifts = {8, 16, 0, 24}; // code order: green, red, blue, alpha
        int[][] symbols = new int[4][];
        for (int c = 0; c < 4; c++) {
            symbols[c] = distinct(argb, shifts[c]);
            simpleCode(bits, symbols[c]);
        }
        simpleCode(bits, new int[] {0}); // distance code, unused
        for (int p : argb) {
            for (int c = 0; c < 4; c++) {
                if (symbols[c].length == 2) {
                    bits.put(((p >>> shifts[c]) & 0xFF) == symbols[c][0] ? 0 : 1, 1);
                }
            }
        }
        byte[] vp8l = bits.bytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int chunk = vp8l.length + (vp8l.length & 1);
        out.writeBytes("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        le32(out, 4 + 8 + chunk);
        out.writeBytes("WEBPVP8L".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        le32(out, vp8l.length);
        out.writeBytes(vp8l);
        if ((vp8l.length & 1) == 1) {
            out.write(0);
        }
        return out.toByteArray();
    }

    private static int[] distinct(int[] argb, int shift) {
        java.util.TreeSet<Integer> set = new java.util.TreeSet<>();
        for (int p : argb) {
            set.add((p >>> shift) & 0xFF);
        }
        if (set.size() > 2) {
            throw new IllegalArgumentException("a channel takes more than two values");
        }
        return set.stream().mapToInt(Integer::intValue).toArray(); // ascending: canonical code 0 = smaller
    }

    private static void simpleCode(Bits bits, int[] symbols) {
        bits.put(1, 1); // simple code
        bits.put(symbols.length - 1, 1);
        if (symbols[0] < 2) {
            bits.put(0, 1);
            bits.put(symbols[0], 1);
        } else {
            bits.put(1, 1);
            bits.put(symbols[0], 8);
        }
        if (symbols.length == 2) {
            bits.put(symbols[1], 8);
        }
    }

    private static void le32(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    /** LSB-first bit packer. */
    private static final class Bits {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private long acc;
        private int n;

        void put(int value, int count) {
            acc |= ((long) value & ((1L << count) - 1)) << n;
            n += count;
            while (n >= 8) {
                out.write((int) (acc & 0xFF));
                acc >>>= 8;
                n -= 8;
            }
        }

        byte[] bytes() {
            if (n > 0) {
                out.write((int) (acc & 0xFF));
                acc = 0;
                n = 0;
            }
            return out.toByteArray();
        }
    }
}
