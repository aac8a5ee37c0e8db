package dev.phi4ee.core.generate;

import dev.phi4ee.core.ort.ElementType;
import java.nio.ByteBuffer;

/**
 * The last position's logits exactly as the decoder wrote them: {@code vocab} float32 or float16 values starting at
 * element {@code elementOffset} of {@code buffer} (native order). A view, valid until the session's next run; logit
 * processing reads it in place instead of copying the 200k-entry row.
 */
public record LastLogits(ByteBuffer buffer, ElementType type, int elementOffset, int vocab) {

    public float get(int token) {
        int i = elementOffset + token;
        return type == ElementType.FLOAT16 ? Float.float16ToFloat(buffer.getShort(i * 2)) : buffer.getFloat(i * 4);
    }

    /** Copies the row into {@code dest} (length ≥ vocab) as floats. */
    public float[] toFloats(float[] dest) {
        for (int t = 0; t < vocab; t++) {
            dest[t] = get(t);
        }
        return dest;
    }

    public float[] toFloats() {
        return toFloats(new float[vocab]);
    }

    /** Index of the largest logit; ties go to the lowest id. */
    public int argmax() {
        int best = 0;
        float bestValue = get(0);
        for (int t = 1; t < vocab; t++) {
            float v = get(t);
            if (v > bestValue) {
                bestValue = v;
                best = t;
            }
        }
        return best;
    }
}
