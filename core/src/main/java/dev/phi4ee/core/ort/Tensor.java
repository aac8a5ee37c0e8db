package dev.phi4ee.core.ort;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.onnxruntime.OrtValue;
import org.bytedeco.onnxruntime.Value;

/**
 * A tensor whose data lives in a direct {@link ByteBuffer} (native byte order) that ONNX Runtime reads and writes in
 * place: the {@code OrtValue} is created over the buffer's memory, never over a copy. The tensor keeps the buffer
 * reachable for as long as the value exists (ONNX Runtime does not own it). {@link #close()} releases the value;
 * the buffer itself is freed by the garbage collector once no view of it remains.
 */
public final class Tensor implements AutoCloseable {
    private final ElementType type;
    private final long[] shape;
    private final ByteBuffer buffer;
    private final ByteBuffer storage;
    private Value value;
    private OrtValue raw;

    private Tensor(ElementType type, long[] shape, ByteBuffer buffer) {
        this.type = type;
        this.shape = shape;
        this.buffer = buffer;
        long bytes = byteSize();
        if (bytes > buffer.remaining()) {
            throw new IllegalArgumentException("buffer of " + buffer.remaining() + " bytes is too small for "
                    + type.label() + Arrays.toString(shape) + " (" + bytes + " bytes)");
        }
        // A zero-element tensor still needs a valid data pointer; a 0-capacity direct buffer may have none.
        this.storage = buffer.remaining() == 0 ? ByteBuffer.allocateDirect(8) : buffer;
        Pointer data = new Pointer(storage);
        Value v = Value.CreateTensor(
                OnnxRuntime.cpuMemory().asOrtMemoryInfo(), data, bytes, shape, shape.length, type.onnxCode());
        // The tensor owns its value explicitly; a step's PointerScope must not free it behind our back.
        // detach() releases the scope's reference, so take one first (close() releases the last).
        PointerScope scope = PointerScope.getInnerScope();
        if (scope != null) {
            v.retainReference();
            scope.detach(v);
        }
        this.value = v;
        this.raw = v.asOrtValue();
    }

    /** A zero-filled tensor on a fresh direct buffer. */
    public static Tensor allocate(ElementType type, long... shape) {
        long bytes = checkedBytes(type, shape);
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor " + type.label() + Arrays.toString(shape) + " needs " + bytes
                    + " bytes, more than one direct buffer holds");
        }
        return new Tensor(
                type, shape.clone(), ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder()));
    }

    /**
     * A tensor over existing memory: a direct buffer whose <em>position</em> is where the data starts. The buffer is
     * shared, not copied; writes through either side are seen by the other.
     */
    public static Tensor wrap(ByteBuffer direct, ElementType type, long... shape) {
        Objects.requireNonNull(direct, "direct");
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("ONNX Runtime tensors need a direct buffer, got a heap buffer");
        }
        checkedBytes(type, shape);
        return new Tensor(type, shape.clone(), direct.slice().order(ByteOrder.nativeOrder()));
    }

    /** Another tensor over the first bytes of this one's memory, with a new shape (e.g. a prefix of a mask). */
    public Tensor view(long... newShape) {
        return wrap(buffer, type, newShape);
    }

    private static long checkedBytes(ElementType type, long[] shape) {
        Objects.requireNonNull(type, "type");
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return Math.multiplyExact(n, type.byteSize());
    }

    public ElementType type() {
        return type;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long dim(int i) {
        return shape[i];
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public long byteSize() {
        return elementCount() * type.byteSize();
    }

    /** The tensor's memory, position 0, native byte order. A new view each call; the bytes are shared. */
    public ByteBuffer buffer() {
        return buffer.duplicate().clear().order(ByteOrder.nativeOrder());
    }

    /** Element {@code index} (flat, row-major) of a float32 or float16 tensor, as a float. */
    public float getFloat(long index) {
        return switch (type) {
            case FLOAT -> buffer.getFloat(Math.toIntExact(index * 4));
            case FLOAT16 -> Float.float16ToFloat(buffer.getShort(Math.toIntExact(index * 2)));
            default -> throw new IllegalStateException("not a floating-point tensor: " + type.label());
        };
    }

    /** Copies {@code count} elements from flat index {@code from} into {@code dest} as floats (fp32 or fp16). */
    public void readFloats(long from, float[] dest, int count) {
        int base = Math.toIntExact(from);
        switch (type) {
            case FLOAT -> buffer.asFloatBuffer().get(base, dest, 0, count);
            case FLOAT16 -> {
                for (int i = 0; i < count; i++) {
                    dest[i] = Float.float16ToFloat(buffer.getShort((base + i) * 2));
                }
            }
            default -> throw new IllegalStateException("not a floating-point tensor: " + type.label());
        }
    }

    /** Sets element {@code index} of a float32 or float16 tensor. */
    public void putFloat(long index, float v) {
        switch (type) {
            case FLOAT -> buffer.putFloat(Math.toIntExact(index * 4), v);
            case FLOAT16 -> buffer.putShort(Math.toIntExact(index * 2), Float.floatToFloat16(v));
            default -> throw new IllegalStateException("not a floating-point tensor: " + type.label());
        }
    }

    public long getLong(long index) {
        return buffer.getLong(Math.toIntExact(index * 8));
    }

    public void putLong(long index, long v) {
        buffer.putLong(Math.toIntExact(index * 8), v);
    }

    Value value() {
        if (value == null) {
            throw new IllegalStateException("tensor is closed");
        }
        return value;
    }

    /** The raw {@code OrtValue*} for C API calls (see {@link Binding} for why not the C++ wrapper). */
    OrtValue ortValue() {
        if (raw == null) {
            throw new IllegalStateException("tensor is closed");
        }
        return raw;
    }

    public boolean isClosed() {
        return value == null;
    }

    @Override
    public void close() {
        if (value != null) {
            value.close();
            value = null;
            raw = null;
        }
    }

    @Override
    public String toString() {
        return type.label() + Arrays.toString(shape);
    }
}
