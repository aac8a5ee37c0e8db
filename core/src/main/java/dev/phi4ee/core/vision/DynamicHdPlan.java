package dev.phi4ee.core.vision;

import dev.phi4ee.core.api.InvalidInputException;

/**
 * The integer part of dynamic-HD preprocessing for one image (reference §7.3–§7.10): crop grid, resized size,
 * padding, masked patch rows/columns, {@code image_sizes} and the image token count. Pure arithmetic, so the engine
 * can check the context length before any pixel is decoded or resized.
 *
 * @param width original width W
 * @param height original height H
 * @param gridColumns gw, HD crops across
 * @param gridRows gh, HD crops down
 * @param searched whether the aspect-ratio search chose the grid (else the ceil branch)
 * @param resizedWidth width after the aspect-preserving resize
 * @param resizedHeight height after the aspect-preserving resize
 * @param padRight white columns added on the right
 * @param padBottom white rows added at the bottom
 * @param zeroMaskColumns last 14-pixel patch columns of the HD mask set to 0
 * @param zeroMaskRows last 14-pixel patch rows of the HD mask set to 0
 * @param numImageTokens image tokens the vision graph emits for this image
 */
public record DynamicHdPlan(
        int width,
        int height,
        int gridColumns,
        int gridRows,
        boolean searched,
        int resizedWidth,
        int resizedHeight,
        int padRight,
        int padBottom,
        int zeroMaskColumns,
        int zeroMaskRows,
        int numImageTokens) {

    private static final int S = VisionProcessorConfig.CROP_SIZE;
    private static final int PATCH = 14;
    /** Mask cells per crop side (448 / 14). */
    public static final int MASK_SIZE = S / PATCH;

    /**
     * Plans one image of {@code width × height} pixels with at most {@code dynamicHd} HD crops.
     *
     * @throws InvalidInputException for an empty image or an aspect ratio so extreme that the resize would be
     *     under 10 pixels on a side (the reference's error, §7.4)
     */
    public static DynamicHdPlan plan(int width, int height, int dynamicHd) {
        if (width < 1 || height < 1) {
            throw new InvalidInputException("image has no pixels (" + width + "×" + height + ")");
        }
        if (dynamicHd < 1) {
            throw new IllegalArgumentException("dynamicHd must be >= 1, was " + dynamicHd);
        }
        // §7.3 crop grid: the ceil grid when it fits the budget (never downscales), else the ratio search.
        int wc = (int) Math.ceil(width / (double) S);
        int hc = (int) Math.ceil(height / (double) S);
        int gw;
        int gh;
        boolean searched = (long) wc * hc > dynamicHd;
        if (!searched) {
            gw = wc;
            gh = hc;
        } else {
            int[] grid = searchGrid(width, height, dynamicHd);
            gw = grid[0];
            gh = grid[1];
        }
        // §7.4 resize and pad, IEEE double with truncation toward zero.
        int targetW = S * gw;
        int targetH = S * gh;
        double rw = targetW / (double) width;
        double rh = targetH / (double) height;
        int newW;
        int newH;
        if (rw < rh) {
            newW = targetW;
            newH = (int) (height * rw);
        } else {
            newW = (int) (width * rh);
            newH = targetH;
        }
        if (Math.min(newH, targetH) < 10 || Math.min(newW, targetW) < 10) {
            throw new InvalidInputException("the aspect ratio is very extreme: a " + width + "×" + height
                    + " image would be resized to " + newW + "×" + newH + " (under 10 pixels on a side)");
        }
        int padW = targetW - newW;
        int padH = targetH - newH;
        // §7.5 mask: floor(pad/14) trailing patch columns/rows are padding.
        int zc = padW / PATCH;
        int zr = padH / PATCH;
        // §7.10 closed form: tokens = 273 + uh·(uw + 1).
        int uh = ceilHalf(MASK_SIZE * gh - zr);
        int uw = ceilHalf(MASK_SIZE * gw - zc);
        int tokens = 273 + uh * (uw + 1);
        return new DynamicHdPlan(width, height, gw, gh, searched, newW, newH, padW, padH, zc, zr, tokens);
    }

    /** §7.3 step 3: closest grid ratio; equal distances go to the later grid once the image covers half its area. */
    private static int[] searchGrid(int width, int height, int dynamicHd) {
        double aspect = width / (double) height;
        double area = (double) width * height;
        int[] best = {1, 1};
        double bestDiff = Double.POSITIVE_INFINITY;
        for (int[] g : CropGridCandidates.forMaxCrops(dynamicHd)) {
            double diff = Math.abs(aspect - g[0] / (double) g[1]);
            if (diff < bestDiff) {
                bestDiff = diff;
                best = g;
            } else if (diff == bestDiff && area > 0.5 * S * S * g[0] * g[1]) {
                best = g;
            }
        }
        return best;
    }

    private static int ceilHalf(int v) {
        return (v + 1) / 2;
    }

    /** Number of HD crops gw·gh. */
    public int hdCrops() {
        return gridColumns * gridRows;
    }

    /** Crops of this image in {@code pixel_values}: the global view plus the HD crops (§7.8). */
    public int crops() {
        return 1 + hdCrops();
    }

    /** Height of the padded canvas, {@code image_sizes[0]} (§7.8). */
    public int canvasHeight() {
        return S * gridRows;
    }

    /** Width of the padded canvas, {@code image_sizes[1]} (§7.8). */
    public int canvasWidth() {
        return S * gridColumns;
    }
}
