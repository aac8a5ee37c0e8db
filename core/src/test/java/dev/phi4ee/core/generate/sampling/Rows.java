package dev.phi4ee.core.generate.sampling;

import dev.phi4ee.core.api.TensorFloatType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds logits rows the way the decoder leaves them: direct, native order, at an offset inside a larger tensor. */
final class Rows {
    static final int OFFSET = 3;

    private Rows() {}

    /** A row holding {@code values} (rounded to fp16 for FLOAT16) after {@link #OFFSET} elements of garbage. */
    static LogitsRow of(TensorFloatType type, float... values) {
        int bytes = type == TensorFloatType.FLOAT16 ? 2 : 4;
        ByteBuffer buffer =
                ByteBuffer.allocateDirect((OFFSET + values.length + 2) * bytes).order(ByteOrder.nativeOrder());
        for (int i = 0; i < OFFSET + values.length + 2; i++) {
            float v = i >= OFFSET && i < OFFSET + values.length ? values[i - OFFSET] : 1e4f;
            if (type == TensorFloatType.FLOAT16) {
                buffer.putShort(i * 2, Float.floatToFloat16(v));
            } else {
                buffer.putFloat(i * 4, v);
            }
        }
        return LogitsRow.of(buffer, type, OFFSET, values.length);
    }

    static LogitsRow of(float... values) {
        return of(TensorFloatType.FLOAT32, values);
    }

    /** The values an fp16 row actually holds. */
    static float[] roundedToHalf(float[] values) {
        float[] r = new float[values.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = Float.float16ToFloat(Float.floatToFloat16(values[i]));
        }
        return r;
    }
}
