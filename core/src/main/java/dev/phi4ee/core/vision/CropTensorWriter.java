package dev.phi4ee.core.vision;

import dev.phi4ee.core.api.TensorFloatType;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * Writes crops ({@code [3, 448, 448]} planes) and 32×32 masks into the pooled tensors in fp32 or fp16. Values are
 * computed in float32 as in the reference and rounded to fp16 (nearest-even) only when stored.
 */
final class CropTensorWriter {

    static final int S = VisionProcessorConfig.CROP_SIZE;
    static final int CROP_ELEMENTS = 3 * S * S;
    static final int MASK_ELEMENTS = DynamicHdPlan.MASK_SIZE * DynamicHdPlan.MASK_SIZE;

    private final TensorFloatType type;
    private final FloatBuffer f32;
    private final ShortBuffer f16;
    private final float[][] lut;
    private final short[][] lut16;
    private final float[] rowF = new float[S];
    private final short[] rowH = new short[S];

    /** @param lut per-channel normalisation table (§7.1), {@code lut[c][v]} */
    CropTensorWriter(ByteBuffer target, TensorFloatType type, float[][] lut) {
        this.type = type;
        this.lut = lut;
        if (type == TensorFloatType.FLOAT32) {
            f32 = target.duplicate().order(target.order()).asFloatBuffer();
            f16 = null;
            lut16 = null;
        } else {
            f16 = target.duplicate().order(target.order()).asShortBuffer();
            f32 = null;
            lut16 = new short[3][256];
            for (int c = 0; c < 3; c++) {
                for (int v = 0; v < 256; v++) {
                    lut16[c][v] = Float.floatToFloat16(lut[c][v]);
                }
            }
        }
    }

    static int bytesPerElement(TensorFloatType type) {
        return type == TensorFloatType.FLOAT32 ? 4 : 2;
    }

    /** Writes planar float values {@code [3][448][448]} as crop number {@code crop} (element offset crop·3·448²). */
    void writeCrop(int crop, float[] planes) {
        int base = crop * CROP_ELEMENTS;
        if (type == TensorFloatType.FLOAT32) {
            f32.put(base, planes, 0, CROP_ELEMENTS);
        } else {
            for (int row = 0; row < 3 * S; row++) {
                for (int x = 0; x < S; x++) {
                    rowH[x] = Float.floatToFloat16(planes[row * S + x]);
                }
                f16.put(base + row * S, rowH, 0, S);
            }
        }
    }

    /**
     * Writes HD tile (tileRow, tileCol) of the virtual canvas (§7.7): resized pixels through the normalisation
     * table, white padding right of {@code resizedW} and below {@code resizedH}.
     */
    void writeTile(int crop, byte[] resized, int resizedW, int resizedH, int tileRow, int tileCol) {
        int base = crop * CROP_ELEMENTS;
        int x0 = tileCol * S;
        int validX = Math.max(0, Math.min(S, resizedW - x0));
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < S; y++) {
                int sy = tileRow * S + y;
                int valid = sy < resizedH ? validX : 0;
                int p = (sy * resizedW + x0) * 3 + c;
                int dst = base + (c * S + y) * S;
                if (type == TensorFloatType.FLOAT32) {
                    float[] t = lut[c];
                    for (int x = 0; x < valid; x++, p += 3) {
                        rowF[x] = t[resized[p] & 0xFF];
                    }
                    java.util.Arrays.fill(rowF, valid, S, t[255]);
                    f32.put(dst, rowF, 0, S);
                } else {
                    short[] t = lut16[c];
                    for (int x = 0; x < valid; x++, p += 3) {
                        rowH[x] = t[resized[p] & 0xFF];
                    }
                    java.util.Arrays.fill(rowH, valid, S, t[255]);
                    f16.put(dst, rowH, 0, S);
                }
            }
        }
    }

    /** Fills crop {@code crop} with zeros (batch padding, §7.9). */
    void writeZeroCrop(int crop) {
        int base = crop * CROP_ELEMENTS;
        if (type == TensorFloatType.FLOAT32) {
            java.util.Arrays.fill(rowF, 0f);
            for (int row = 0; row < 3 * S; row++) {
                f32.put(base + row * S, rowF, 0, S);
            }
        } else {
            java.util.Arrays.fill(rowH, (short) 0);
            for (int row = 0; row < 3 * S; row++) {
                f16.put(base + row * S, rowH, 0, S);
            }
        }
    }

    /**
     * Writes one crop's 32×32 mask: 1 except the cells at or beyond {@code validRows}/{@code validCols} (§7.5).
     */
    static void writeMask(ByteBuffer mask, TensorFloatType type, int crop, int validRows, int validCols) {
        int m = DynamicHdPlan.MASK_SIZE;
        int base = crop * MASK_ELEMENTS;
        int bpe = bytesPerElement(type);
        short one16 = Float.floatToFloat16(1f);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                boolean on = i < validRows && j < validCols;
                int at = (base + i * m + j) * bpe;
                if (type == TensorFloatType.FLOAT32) {
                    mask.putFloat(at, on ? 1f : 0f);
                } else {
                    mask.putShort(at, on ? one16 : 0);
                }
            }
        }
    }
}
