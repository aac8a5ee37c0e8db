package dev.phi4ee.core.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPInputStream;

/**
 * The inputs of the golden references in {@code src/test/resources/golden/}, and their reader. Each input is an integer
 * formula evaluated identically by {@code make_golden.py} (which produced the references with Pillow, torch, scipy
 * and numpy): nothing random is shared between the languages, so a test generates exactly the bytes the reference
 * saw. Keep the two in step; a changed formula needs the references regenerated.
 */
public final class GoldenInputs {
    private GoldenInputs() {}

    /** A 32-bit integer hash; Python's version masks to 32 bits where Java's int arithmetic wraps. */
    static int mix32(int a) {
        a = (a ^ (a >>> 16)) * 0x45D9F3B;
        a = (a ^ (a >>> 16)) * 0x45D9F3B;
        return a ^ (a >>> 16);
    }

    /** 8-bit sample: a gradient per channel, a 7×5 checkerboard of hard edges and 5 bits of hashed noise, clipped. */
    public static int imageSample(int x, int y, int c, int w, int h) {
        int grad =
                switch (c) {
                    case 0 -> x * 200 / Math.max(1, w - 1);
                    case 1 -> y * 200 / Math.max(1, h - 1);
                    default -> ((x + y) % 64) * 3;
                };
        int edge = (x / 7 + y / 5) % 2 == 0 ? 55 : 0;
        int noise = mix32(x * 73856093 ^ y * 19349663 ^ c * 83492791) >>> 27;
        return Math.min(255, grad + edge + noise);
    }

    /** The test image as interleaved RGB, row-major. */
    public static byte[] imageRgb(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    rgb[(y * w + x) * 3 + c] = (byte) imageSample(x, y, c, w, h);
                }
            }
        }
        return rgb;
    }

    /** Integer triangle wave in [−amplitude, amplitude] (numerators are non-negative: / is Python's //). */
    static int triangle(int n, int period, int amplitude) {
        return 4 * Math.abs(n % period - period / 2) * amplitude / period - amplitude;
    }

    /** 16-bit sample n at this rate: two triangles, a square and hashed noise; the first 30 ms are silent. */
    public static int pcm(int n, int rate) {
        if (n < rate * 3 / 100) {
            return 0;
        }
        int p1 = rate / 455;
        int p2 = rate / 1917;
        int p3 = rate / 3100;
        int square = n % (2 * p3) < p3 ? 2500 : -2500;
        int noise = (mix32(n * 0x9E3779B1) >>> 20) - 2048;
        return triangle(n, p1, 9000) + triangle(n, p2, 5000) + square + noise;
    }

    /** The test signal in [−1, 1): pcm / 32768, exact in float32. */
    public static float[] signal(int rate, int samples) {
        float[] x = new float[samples];
        for (int n = 0; n < samples; n++) {
            x[n] = pcm(n, rate) / 32768f;
        }
        return x;
    }

    /** The bytes of a golden file, gunzipped when its name ends in {@code .gz}. */
    public static byte[] bytes(String name) {
        try (InputStream raw = GoldenInputs.class.getResourceAsStream("/golden/" + name)) {
            if (raw == null) {
                throw new IllegalStateException("golden reference /golden/" + name + " is missing from the test "
                        + "resources (regenerate with core/src/test/resources/golden/make_golden.py)");
            }
            try (InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A golden file of little-endian float32 values. */
    public static float[] floats(String name) {
        ByteBuffer b = ByteBuffer.wrap(bytes(name)).order(ByteOrder.LITTLE_ENDIAN);
        float[] x = new float[b.remaining() / Float.BYTES];
        b.asFloatBuffer().get(x);
        return x;
    }
}
