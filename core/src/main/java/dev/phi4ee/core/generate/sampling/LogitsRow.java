package dev.phi4ee.core.generate.sampling;

import dev.phi4ee.core.api.TensorFloatType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Objects;

/**
 * A read view of one vocabulary row of logits exactly as the decoder wrote it: {@code vocabSize} float32 or float16
 * values starting at element {@code elementOffset} of a buffer in native byte order (the layout ONNX Runtime uses).
 * Nothing is copied; the buffer's position and limit are not touched, so one buffer can back many rows (one per
 * batch row of a {@code [batch, seq, vocab]} logits tensor).
 */
public final class LogitsRow {
    private static final int FLOAT32_INFINITY_BITS = 0x7f800000;

    private final ByteBuffer data;
    private final TensorFloatType type;
    private final int byteOffset;
    private final int size;
    private IntBuffer ints;
    private FloatBuffer floats;

    private LogitsRow(ByteBuffer data, TensorFloatType type, int byteOffset, int size) {
        this.data = data;
        this.type = type;
        this.byteOffset = byteOffset;
        this.size = size;
    }

    /**
     * Views {@code vocabSize} values of {@code type} starting at element index {@code elementOffset} of {@code buffer}
     * (absolute, independent of the buffer's position).
     *
     * @throws IllegalArgumentException when the buffer is not in native byte order or too small
     */
    public static LogitsRow of(ByteBuffer buffer, TensorFloatType type, int elementOffset, int vocabSize) {
        Objects.requireNonNull(buffer, "buffer");
        Objects.requireNonNull(type, "type");
        if (buffer.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("logits buffer must be in native byte order (" + ByteOrder.nativeOrder()
                    + "), was " + buffer.order());
        }
        if (vocabSize < 1 || elementOffset < 0) {
            throw new IllegalArgumentException(
                    "vocabSize must be >= 1 and elementOffset >= 0, were " + vocabSize + ", " + elementOffset);
        }
        int bytes = bytesPerElement(type);
        long end = ((long) elementOffset + vocabSize) * bytes;
        if (end > buffer.limit()) {
            throw new IllegalArgumentException(
                    "logits row [" + elementOffset + ", " + (elementOffset + (long) vocabSize) + ") of " + type
                            + " exceeds the buffer limit of " + buffer.limit() + " bytes");
        }
        return new LogitsRow(buffer, type, elementOffset * bytes, vocabSize);
    }

    static int bytesPerElement(TensorFloatType type) {
        return type == TensorFloatType.FLOAT16 ? Short.BYTES : Float.BYTES;
    }

    /** Number of entries (the vocabulary size). */
    public int size() {
        return size;
    }

    public TensorFloatType type() {
        return type;
    }

    /** The logit of {@code tokenId}, widened to float32 for fp16 rows. */
    public float get(int tokenId) {
        Objects.checkIndex(tokenId, size);
        return type == TensorFloatType.FLOAT16
                ? Float.float16ToFloat(data.getShort(byteOffset + 2 * tokenId))
                : data.getFloat(byteOffset + 4 * tokenId);
    }

    /** The raw float16 bits of element {@code index}, sign-extended. */
    int bits16(int index) {
        return data.getShort(byteOffset + 2 * index);
    }

    /**
     * The row as ints from element 0: one float32 per int, or two float16 per int (made on first use; the view is
     * independent of the buffer's position).
     */
    IntBuffer ints() {
        if (ints == null) {
            int bytes = size * bytesPerElement(type);
            ints = data.slice(byteOffset, bytes).order(ByteOrder.nativeOrder()).asIntBuffer();
        }
        return ints;
    }

    /**
     * Index of the largest value, read in place; the first one on ties (as {@code torch.argmax}). NaN entries are
     * ignored.
     *
     * @return the index, or -1 when no entry is larger than negative infinity
     */
    public int argmax() {
        return new ArgmaxScan().argmax(this, new int[0], 0);
    }

    /**
     * Copies the row into {@code dst[0..size)} as float32, NaN as negative infinity ({@code chunk}: scratch of any
     * length, e.g. 2048).
     */
    public void copyTo(float[] dst, int[] chunk) {
        copyTo(dst, 1f, chunk);
    }

    /**
     * Copies the row into {@code dst[0..size)}, dividing by {@code divisor} (the temperature; 1 leaves values as they
     * are). NaN becomes negative infinity so that it can never be selected. This is the one copy per step the
     * sampling path makes.
     *
     * <p>float32 rows are copied in bulk and divided in a loop the JIT vectorises; NaN is looked for in the raw bits
     * ({@code chunk} is scratch for that) and only a row that has one is walked again.
     */
    void copyTo(float[] dst, float divisor, int[] chunk) {
        if (type == TensorFloatType.FLOAT16) {
            copyHalvesTo(dst, divisor);
        } else {
            copyFloatsTo(dst, divisor, chunk);
        }
    }

    private void copyHalvesTo(float[] dst, float divisor) {
        for (int i = 0, p = byteOffset; i < size; i++, p += 2) {
            float v = Float.float16ToFloat(data.getShort(p)) / divisor;
            dst[i] = v == v ? v : Float.NEGATIVE_INFINITY;
        }
    }

    private void copyFloatsTo(float[] dst, float divisor, int[] chunk) {
        IntBuffer bits = ints();
        int magnitude = 0;
        for (int base = 0; base < size; base += chunk.length) {
            int length = Math.min(chunk.length, size - base);
            bits.get(base, chunk, 0, length);
            for (int i = 0; i < length; i++) {
                magnitude = Math.max(magnitude, chunk[i] & 0x7fffffff);
            }
        }
        floats().get(0, dst, 0, size);
        if (divisor != 1f) {
            for (int i = 0; i < size; i++) {
                dst[i] = dst[i] / divisor;
            }
        }
        if (magnitude > FLOAT32_INFINITY_BITS) { // a NaN somewhere (x / divisor is NaN only for a NaN x)
            for (int i = 0; i < size; i++) {
                if (dst[i] != dst[i]) {
                    dst[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    private FloatBuffer floats() {
        if (floats == null) {
            floats = data.slice(byteOffset, size * Float.BYTES)
                    .order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
        }
        return floats;
    }
}
