package dev.phi4ee.core.ort;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.onnxruntime.OrtAllocator;
import org.bytedeco.onnxruntime.OrtMemoryInfo;
import org.bytedeco.onnxruntime.OrtValue;
import org.bytedeco.onnxruntime.Value;

/**
 * A tensor ONNX Runtime reads and writes in place, in one of three memories:
 *
 * <ul>
 *   <li>host buffer: a direct {@link ByteBuffer} (native byte order); the {@code OrtValue} is created over the
 *       buffer's memory, never over a copy, and the tensor keeps the buffer reachable for as long as the value exists
 *       (ONNX Runtime does not own it); the buffer is freed by the garbage collector once no view of it remains;
 *   <li>native host memory ({@link #allocateNative}): zeroed C heap memory outside the Java heap and the direct-memory
 *       limit, committed page by page as it is first written (large blocks come straight from the OS). For the KV
 *       cache, whose reserved window is mostly never touched. Java reads it through {@link #buffer()} views (up to
 *       2 GiB each); {@link #close()} frees it;
 *   <li>device: memory of an execution provider's allocator (CUDA memory, or ONNX Runtime's own CPU allocator when
 *       the device path runs on the CPU), allocated by {@link Placement}; Java cannot read it ({@link #buffer()}
 *       throws), it moves only through ONNX Runtime runs ({@link Placement#copy}, {@link Placement#lastPosition}).
 *       {@link #close()} frees it.
 * </ul>
 *
 * A {@link #region view} shares its parent's memory and must be closed before the parent; only the allocating
 * tensor frees native and device memory.
 */
public final class Tensor implements AutoCloseable {
    static {
        JavaCppDefaults.apply(); // before any JavaCPP class is initialised
    }

    private final ElementType type;
    private final long[] shape;
    private final ByteBuffer buffer;
    private final ByteBuffer storage;
    /** Start of the data in native or device memory (0 for host-buffer tensors, which use {@link #buffer}). */
    private final long address;
    /** Bytes from {@link #address} to the end of the allocation this tensor may view. */
    private final long capacity;
    /** Whether {@link #address} is CPU memory Java may read (native host memory) rather than device memory. */
    private final boolean nativeHost;

    private Value value;
    private OrtValue raw;
    /**
     * Run once the value is released: frees native host memory, or tells a {@link Placement} that one of its device
     * allocations is gone (its live-allocation count); null for views and host buffers.
     */
    private final Runnable onRelease;

    private static final AtomicLong NATIVE_BYTES = new AtomicLong();

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
        this.value = NativeScope.owned(v);
        this.raw = v.asOrtValue();
        this.address = 0;
        this.capacity = 0;
        this.nativeHost = false;
        this.onRelease = null;
    }

    /**
     * A native-host or device tensor over {@code raw} (owned by this tensor from now on) whose data starts at {@code
     * address}.
     */
    private Tensor(
            ElementType type,
            long[] shape,
            OrtValue raw,
            long address,
            long capacity,
            boolean nativeHost,
            Runnable onRelease) {
        this.type = type;
        this.shape = shape;
        this.buffer = null;
        this.storage = null;
        this.value = null;
        this.raw = raw;
        this.address = address;
        this.capacity = capacity;
        this.nativeHost = nativeHost;
        this.onRelease = onRelease;
    }

    /** A new tensor in {@code allocator}'s memory (contents undefined), released by {@link #close()}. */
    static Tensor allocateWith(OrtAllocator allocator, Runnable onRelease, ElementType type, long... shape) {
        return allocateWith(allocator, false, onRelease, type, shape);
    }

    /**
     * As {@link #allocateWith(OrtAllocator, Runnable, ElementType, long...)}; {@code hostReadable}: the allocator's
     * memory is host memory Java may read through {@link #buffer()} (CUDA pinned memory).
     */
    static Tensor allocateWith(
            OrtAllocator allocator, boolean hostReadable, Runnable onRelease, ElementType type, long... shape) {
        long bytes = checkedBytes(type, shape);
        try (PointerPointer<OrtValue> out = new PointerPointer<>(1);
                LongPointer dims = new LongPointer(shape)) {
            OnnxRuntime.check(
                    OnnxRuntime.api().CreateTensorAsOrtValue(allocator, dims, shape.length, type.onnxCode(), out),
                    () -> "cannot allocate " + type.label() + Arrays.toString(shape) + " in device memory");
            OrtValue v = out.get(OrtValue.class, 0);
            return new Tensor(type, shape.clone(), v, dataAddress(v), bytes, hostReadable, onRelease);
        }
    }

    /**
     * A zero-filled tensor in native host memory ({@code calloc}): not counted against the Java heap, the direct-memory
     * limit or JavaCPP's {@code maxBytes}, and committed lazily (a large block is fresh zero pages from the OS, so no
     * page is touched until ONNX Runtime writes it). Any size; {@link #close()} frees it, after its views are closed.
     */
    public static Tensor allocateNative(ElementType type, long... shape) {
        long bytes = checkedBytes(type, shape);
        Pointer memory = Pointer.calloc(Math.max(bytes, 1), 1); // never 0: a zero-element tensor needs a pointer
        if (memory == null || memory.isNull()) {
            throw new OutOfMemoryError("cannot allocate " + bytes + " bytes of native memory for " + type.label()
                    + Arrays.toString(shape));
        }
        long at = memory.address();
        try {
            OrtValue v = createOver(OnnxRuntime.cpuMemory().asOrtMemoryInfo(), at, bytes, type, shape);
            NATIVE_BYTES.addAndGet(bytes);
            return new Tensor(type, shape.clone(), v, at, bytes, true, () -> {
                Pointer.free(memory);
                NATIVE_BYTES.addAndGet(-bytes);
            });
        } catch (RuntimeException e) {
            Pointer.free(memory);
            throw e;
        }
    }

    /** Bytes of native host memory held by {@link #allocateNative} tensors not yet closed (for leak checks). */
    public static long nativeBytes() {
        return NATIVE_BYTES.get();
    }

    /** An {@code OrtValue} over {@code bytes} of existing memory at {@code address}; the caller owns both. */
    private static OrtValue createOver(OrtMemoryInfo info, long address, long bytes, ElementType type, long[] shape) {
        try (PointerPointer<OrtValue> out = new PointerPointer<>(1);
                LongPointer dims = new LongPointer(shape)) {
            OnnxRuntime.check(
                    OnnxRuntime.api()
                            .CreateTensorWithDataAsOrtValue(
                                    info, new Address(address), bytes, dims, shape.length, type.onnxCode(), out),
                    () -> "cannot create " + type.label() + Arrays.toString(shape) + " over existing memory");
            return out.get(OrtValue.class, 0);
        }
    }

    private static long dataAddress(OrtValue v) {
        try (PointerPointer<Pointer> data = new PointerPointer<>(1)) {
            OnnxRuntime.check(OnnxRuntime.api().GetTensorMutableData(v, data), () -> "tensor data");
            Pointer p = data.get(0);
            return p == null ? 0 : p.address();
        }
    }

    /** Whether Java can read and write the data ({@link #buffer()}); false for device memory. */
    public boolean isHostMemory() {
        return buffer != null || nativeHost;
    }

    /**
     * Another tensor over this one's memory from byte {@code byteOffset}, with a new shape (a row range of a batch
     * buffer, a chunk of a prompt, a prefix of a mask). No copy, in either memory.
     */
    public Tensor region(long byteOffset, long... newShape) {
        long bytes = checkedBytes(type, newShape);
        if (buffer != null) {
            return wrap(buffer.duplicate().position(Math.toIntExact(byteOffset)), type, newShape);
        }
        if (byteOffset < 0 || byteOffset + bytes > capacity) {
            throw new IllegalArgumentException(
                    "region of " + bytes + " bytes at " + byteOffset + " outside " + capacity + " bytes of " + this);
        }
        try (PointerPointer<OrtMemoryInfo> info = new PointerPointer<>(1)) {
            OnnxRuntime.check(OnnxRuntime.api().GetTensorMemoryInfo(ortValue(), info), () -> "tensor memory info");
            long at = address + byteOffset;
            OrtValue v = createOver(info.get(OrtMemoryInfo.class, 0), at, bytes, type, newShape);
            return new Tensor(type, newShape.clone(), v, at, capacity - byteOffset, nativeHost, null);
        }
    }

    /** A bare native address (native and device memory have no Java buffer to derive a pointer from). */
    private static final class Address extends Pointer {
        Address(long address) {
            this.address = address;
        }

        @Override
        public int sizeof() {
            return 1; // bytes, as for Pointer itself (JavaCPP knows no size for this class)
        }
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

    /**
     * Copies {@code bytes} bytes from byte offset {@code from} of this tensor to byte offset {@code to} of {@code
     * into}, both in host memory ({@link #isHostMemory()}): one {@code memcpy}, no tensor views (a view is an ONNX
     * Runtime value and a JavaCPP deallocator; the prefix cache copies hundreds of small runs per prompt). The ranges
     * must lie within the tensors and not overlap.
     */
    public void copyBytesTo(long from, Tensor into, long to, long bytes) {
        if (!isHostMemory() || !into.isHostMemory()) {
            throw new IllegalStateException("byte copy between " + this + " and " + into + ": host memory only");
        }
        if (bytes < 0 || from < 0 || to < 0 || from + bytes > byteSize() || to + bytes > into.byteSize()) {
            throw new IllegalArgumentException(
                    bytes + " bytes from " + from + " of " + this + " to " + to + " of " + into + ": outside a tensor");
        }
        if (bytes > 0) {
            Pointer.memcpy(new Address(into.hostAddress() + to), new Address(hostAddress() + from), bytes);
        }
    }

    /** Address of the first byte of a host tensor's data. */
    private long hostAddress() {
        if (buffer == null) {
            return address;
        }
        try (Pointer p = new Pointer(storage.duplicate().clear())) {
            return p.address();
        }
    }

    /** Another tensor over the first bytes of this one's memory, with a new shape (e.g. a prefix of a mask). */
    public Tensor view(long... newShape) {
        return region(0, newShape);
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
        return host().duplicate().clear().order(ByteOrder.nativeOrder());
    }

    private ByteBuffer host() {
        if (buffer != null) {
            return buffer;
        }
        if (!nativeHost) {
            throw new IllegalStateException(this + " lives in device memory; Java cannot read it");
        }
        long bytes = byteSize();
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalStateException(
                    this + " has " + bytes + " bytes, more than one buffer view holds;" + " read it through a region");
        }
        // A view of the native memory (no copy, not counted as direct memory), valid until the owner is closed.
        return new Address(address).limit(bytes).asByteBuffer();
    }

    /** Element {@code index} (flat, row-major) of a float32 or float16 tensor, as a float. */
    public float getFloat(long index) {
        return switch (type) {
            case FLOAT -> host().getFloat(Math.toIntExact(index * 4));
            case FLOAT16 -> Float.float16ToFloat(host().getShort(Math.toIntExact(index * 2)));
            default -> throw new IllegalStateException("not a floating-point tensor: " + type.label());
        };
    }

    /** Copies {@code count} elements from flat index {@code from} into {@code dest} as floats (fp32 or fp16). */
    public void readFloats(long from, float[] dest, int count) {
        int base = Math.toIntExact(from);
        switch (type) {
            case FLOAT -> host().asFloatBuffer().get(base, dest, 0, count);
            case FLOAT16 -> {
                for (int i = 0; i < count; i++) {
                    dest[i] = Float.float16ToFloat(host().getShort((base + i) * 2));
                }
            }
            default -> throw new IllegalStateException("not a floating-point tensor: " + type.label());
        }
    }

    /** Sets element {@code index} of a float32 or float16 tensor. */
    public void putFloat(long index, float v) {
        switch (type) {
            case FLOAT -> host().putFloat(Math.toIntExact(index * 4), v);
            case FLOAT16 -> host().putShort(Math.toIntExact(index * 2), Float.floatToFloat16(v));
            default -> throw new IllegalStateException("not a floating-point tensor: " + type.label());
        }
    }

    public long getLong(long index) {
        return host().getLong(Math.toIntExact(index * 8));
    }

    public void putLong(long index, long v) {
        host().putLong(Math.toIntExact(index * 8), v);
    }

    /** The raw {@code OrtValue*} for C API calls (see {@link Binding} for why not the C++ wrapper). */
    OrtValue ortValue() {
        if (raw == null) {
            throw new IllegalStateException("tensor is closed");
        }
        return raw;
    }

    public boolean isClosed() {
        return raw == null;
    }

    @Override
    public void close() {
        if (value != null) {
            value.close();
        } else if (raw != null) {
            OnnxRuntime.api().ReleaseValue(raw);
            if (onRelease != null) {
                onRelease.run(); // after the value: ONNX Runtime no longer points at the memory
            }
        }
        value = null;
        raw = null;
    }

    @Override
    public String toString() {
        return type.label() + Arrays.toString(shape) + (nativeHost ? " (native)" : buffer == null ? " (device)" : "");
    }
}
