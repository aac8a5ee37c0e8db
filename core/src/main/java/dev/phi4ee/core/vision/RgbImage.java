package dev.phi4ee.core.vision;

import java.util.Objects;

/**
 * A decoded image or document page as the reference sees it (§7.2): 8-bit R, G, B samples interleaved row by row,
 * taken from the stored sample values (no colour profile or gamma applied, alpha already composited on white).
 *
 * @param width pixels across
 * @param height pixels down
 * @param rgb {@code width·height·3} bytes, row-major, R G B per pixel; not copied (treat as read-only once built)
 */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        Objects.requireNonNull(rgb, "rgb");
        if (width < 1 || height < 1 || (long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException(
                    "rgb must hold width·height·3 bytes, got " + rgb.length + " for " + width + "×" + height);
        }
    }

    /** Sample of channel {@code c} (0 = R) at (x, y), 0…255. */
    public int sample(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "×" + height + "]";
    }
}
