package dev.phi4ee.core.ort;

import static org.bytedeco.onnxruntime.global.onnxruntime.OrtDeviceAllocator;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtMemTypeCPUOutput;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtMemTypeDefault;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.onnxruntime.OrtAllocator;
import org.bytedeco.onnxruntime.OrtMemoryInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a model's large tensors live (KV cache, feature tensors, embeddings, prompt logits) and how they move.
 *
 * <ul>
 *   <li>{@link #host()}: direct buffers, or native memory for the large caches ({@link #allocateNative}); moves are
 *       JVM copies. Right for the CPU execution provider: ONNX Runtime reads and writes the buffers in place and Java
 *       reads logits without a copy.
 *   <li>{@link #deviceOf}: the memory of a session's execution provider, from that session's allocator (CUDA memory
 *       for a CUDA session). Java never touches the bytes; moves run as tiny ONNX graphs on the same provider
 *       ({@link DeviceGraphs}), so only what a caller asks for crosses to the host (the last logits row), and no CUDA
 *       API binding is needed. On a CPU session this is ONNX Runtime's CPU allocator: the same code path as on a GPU,
 *       which is how the tests cover it without one (docs/decisions/runtime-device-residency.md).
 * </ul>
 *
 * <p>ONNX Runtime synchronizes a session's provider streams at the end of every run (the default of the run option
 * {@code disable_synchronize_execution_providers}), so a move that follows a decoder run sees its outputs.
 */
public final class Placement implements AutoCloseable {
    static {
        JavaCppDefaults.apply(); // before any JavaCPP class is initialised
    }

    /** How to choose: device memory on a CUDA session ({@code AUTO}), or always one of the two. */
    public enum Kind {
        AUTO,
        HOST,
        DEVICE
    }

    private static final Logger LOG = LoggerFactory.getLogger(Placement.class);
    private static final Placement HOST = new Placement(null, null, null, null);
    /** ONNX Runtime's name of the CUDA provider's page-locked host memory (allocator.h {@code CUDA_PINNED}). */
    static final String CUDA_PINNED = "CudaPinned";

    private final OrtSession owner;
    private final String provider;
    private OrtMemoryInfo info;
    private OrtAllocator allocator;
    private DeviceGraphs graphs;
    private final AtomicLong live = new AtomicLong();
    private OrtMemoryInfo stagingInfo;
    private OrtAllocator stagingAllocator;
    private boolean stagingUnavailable;

    private Placement(OrtSession owner, OrtMemoryInfo info, OrtAllocator allocator, DeviceGraphs graphs) {
        this.owner = owner;
        this.provider = owner == null ? null : owner.executionProvider();
        this.info = info;
        this.allocator = allocator;
        this.graphs = graphs;
    }

    /** Direct buffers in the JVM's process memory. */
    public static Placement host() {
        return HOST;
    }

    /**
     * {@code AUTO}: device memory when {@code session} runs on CUDA, host memory otherwise. {@code DEVICE} on a CPU
     * session gives ONNX Runtime-allocated CPU memory moved through graphs, exactly like the CUDA path.
     */
    public static Placement of(OrtSession session, Kind kind) {
        boolean device =
                switch (kind) {
                    case HOST -> false;
                    case DEVICE -> true;
                    case AUTO -> session.executionProvider().startsWith("cuda");
                };
        return device ? deviceOf(session) : host();
    }

    /**
     * Memory of {@code session}'s provider, allocated by the session's own allocator (its arena). The placement must
     * be closed before the session, and every tensor it allocated before the placement.
     */
    public static Placement deviceOf(OrtSession session) {
        String ep = session.executionProvider();
        int device = ep.startsWith("cuda:") ? Integer.parseInt(ep.substring(5)) : 0;
        String name = ep.startsWith("cuda") ? "Cuda" : "Cpu";
        OrtMemoryInfo info = null;
        try (PointerPointer<OrtMemoryInfo> outInfo = new PointerPointer<>(1);
                PointerPointer<OrtAllocator> outAllocator = new PointerPointer<>(1);
                BytePointer nameBytes = new BytePointer(name)) {
            OnnxRuntime.check(
                    OnnxRuntime.api()
                            .CreateMemoryInfo(nameBytes, OrtDeviceAllocator, device, OrtMemTypeDefault, outInfo),
                    () -> "memory info " + name + ":" + device);
            info = outInfo.get(OrtMemoryInfo.class, 0);
            OrtMemoryInfo created = info;
            OnnxRuntime.check(
                    OnnxRuntime.api().CreateAllocator(session.rawSession(), created, outAllocator),
                    () -> session.file().getFileName() + ": no allocator for " + name + ":" + device);
            OrtAllocator allocator = outAllocator.get(OrtAllocator.class, 0);
            return new Placement(session, info, allocator, new DeviceGraphs(ep));
        } catch (RuntimeException e) {
            if (info != null) {
                OnnxRuntime.api().ReleaseMemoryInfo(info);
            }
            throw e;
        }
    }

    /** Whether tensors of this placement are direct buffers Java can read. */
    public boolean isHost() {
        return owner == null;
    }

    /** A new tensor here: zero-filled in host memory, undefined contents in device memory. */
    public Tensor allocate(ElementType type, long... shape) {
        if (isHost()) {
            return Tensor.allocate(type, shape);
        }
        synchronized (this) {
            if (allocator == null) {
                throw new IllegalStateException("placement " + this + " is closed");
            }
            Tensor t = Tensor.allocateWith(allocator, live::decrementAndGet, type, shape);
            live.incrementAndGet();
            return t;
        }
    }

    /**
     * The memory, by ONNX Runtime's name, for host tensors that receive per-step copies from a session of {@code
     * executionProvider} (the last logits rows) or feed it (the attention mask): CUDA's pinned host memory, which the
     * device copies to and from directly, without a staging copy through an unpinned buffer. Empty: plain host memory
     * (the CPU provider reads and writes host buffers in place).
     */
    static Optional<String> hostStagingMemory(String executionProvider) {
        return executionProvider != null && executionProvider.startsWith("cuda")
                ? Optional.of(CUDA_PINNED)
                : Optional.empty();
    }

    /**
     * A zero-filled host tensor Java reads or writes each step and the provider copies to or from: CUDA pinned memory
     * from the session's pinned allocator on a CUDA placement ({@link #hostStagingMemory}); otherwise, and when the
     * session has no pinned allocator, a direct buffer exactly as {@link Tensor#allocate}.
     */
    public Tensor allocateHost(ElementType type, long... shape) {
        if (isHost() || hostStagingMemory(provider).isEmpty()) {
            return Tensor.allocate(type, shape);
        }
        synchronized (this) {
            OrtAllocator pinned = stagingAllocator();
            if (pinned == null) {
                return Tensor.allocate(type, shape);
            }
            Tensor t = Tensor.allocateWith(pinned, true, live::decrementAndGet, type, shape);
            live.incrementAndGet();
            var b = t.buffer();
            while (b.hasRemaining()) {
                b.put((byte) 0);
            }
            return t;
        }
    }

    /** The session's pinned-memory allocator, created on first use; null when the session has none. */
    private OrtAllocator stagingAllocator() {
        if (stagingAllocator != null || stagingUnavailable) {
            return stagingAllocator;
        }
        if (allocator == null) {
            throw new IllegalStateException("placement " + this + " is closed");
        }
        String name = hostStagingMemory(provider).orElseThrow();
        int device = provider.startsWith("cuda:") ? Integer.parseInt(provider.substring(5)) : 0;
        try (PointerPointer<OrtMemoryInfo> outInfo = new PointerPointer<>(1);
                PointerPointer<OrtAllocator> outAllocator = new PointerPointer<>(1);
                BytePointer nameBytes = new BytePointer(name)) {
            OnnxRuntime.check(
                    OnnxRuntime.api()
                            .CreateMemoryInfo(nameBytes, OrtDeviceAllocator, device, OrtMemTypeCPUOutput, outInfo),
                    () -> "memory info " + name + ":" + device);
            stagingInfo = outInfo.get(OrtMemoryInfo.class, 0);
            OnnxRuntime.check(
                    OnnxRuntime.api().CreateAllocator(owner.rawSession(), stagingInfo, outAllocator),
                    () -> owner.file().getFileName() + ": no allocator for " + name + ":" + device);
            stagingAllocator = outAllocator.get(OrtAllocator.class, 0);
        } catch (RuntimeException e) {
            stagingUnavailable = true;
            LOG.info("per-step host copies use unpinned memory: {}", e.getMessage());
        }
        return stagingAllocator;
    }

    /**
     * A tensor for a large cache Java does not read (the KV cache): in host memory zeroed native memory outside the
     * Java heap and the direct-memory limit, committed page by page as ONNX Runtime writes it, any size ({@link
     * Tensor#allocateNative}); in device memory the same as {@link #allocate}.
     */
    public Tensor allocateNative(ElementType type, long... shape) {
        return isHost() ? Tensor.allocateNative(type, shape) : allocate(type, shape);
    }

    /** Device allocations not yet closed (0 for host memory): what a leak check counts. */
    public long liveAllocations() {
        return live.get();
    }

    /** Copies {@code from[i]} into {@code to[i]} (same type and shape), each in any memory. */
    public void copy(List<Tensor> from, List<Tensor> to) {
        if (from.size() != to.size()) {
            throw new IllegalArgumentException(from.size() + " sources for " + to.size() + " destinations");
        }
        if (from.isEmpty()) {
            return;
        }
        for (int i = 0; i < from.size(); i++) {
            Tensor a = from.get(i);
            Tensor b = to.get(i);
            if (a.type() != b.type() || !Arrays.equals(a.shape(), b.shape())) {
                throw new IllegalArgumentException("cannot copy " + a + " into " + b);
            }
        }
        if (allHost(from) && allHost(to)) {
            for (int i = 0; i < from.size(); i++) {
                to.get(i)
                        .buffer()
                        .put(from.get(i)
                                .buffer()
                                .limit(Math.toIntExact(from.get(i).byteSize())));
            }
            return;
        }
        synchronized (this) {
            graphs().copy(from, to);
        }
    }

    /** {@code into} = the {@code parts} joined along {@code axis} (ONNX Concat semantics). */
    public void concat(Tensor into, int axis, List<Tensor> parts) {
        long[] expected = parts.get(0).shape();
        for (int p = 1; p < parts.size(); p++) {
            expected[axis] += parts.get(p).dim(axis);
        }
        if (!Arrays.equals(expected, into.shape())) {
            throw new IllegalArgumentException(
                    "concat of " + parts + " along " + axis + " is " + Arrays.toString(expected) + ", not " + into);
        }
        if (allHost(parts) && into.isHostMemory()) {
            long outer = 1;
            for (int d = 0; d < axis; d++) {
                outer *= expected[d];
            }
            var dst = into.buffer();
            for (long o = 0; o < outer; o++) {
                for (Tensor part : parts) {
                    int chunk = Math.toIntExact(part.byteSize() / outer);
                    dst.put(part.buffer().position(Math.toIntExact(o * chunk)).limit(Math.toIntExact((o + 1) * chunk)));
                }
            }
            return;
        }
        synchronized (this) {
            graphs().concat(into, axis, parts);
        }
    }

    /**
     * {@code into [B, 1, V]} = position {@code S − 1} of {@code logits [B, S, V]}: the only part of a prompt's logits
     * decoding needs, and the only part that crosses to the host.
     */
    public void lastPosition(Tensor logits, Tensor into) {
        long b = logits.dim(0);
        long s = logits.dim(1);
        long v = logits.dim(2);
        if (into.type() != logits.type() || !Arrays.equals(into.shape(), new long[] {b, 1, v})) {
            throw new IllegalArgumentException("last position of " + logits + " does not fit " + into);
        }
        if (logits.isHostMemory() && into.isHostMemory()) {
            long row = v * logits.type().byteSize();
            var dst = into.buffer();
            for (long i = 0; i < b; i++) {
                long from = (i * s + s - 1) * row;
                dst.put(logits.buffer().position(Math.toIntExact(from)).limit(Math.toIntExact(from + row)));
            }
            return;
        }
        synchronized (this) {
            graphs().lastPosition(logits, into);
        }
    }

    private static boolean allHost(List<Tensor> tensors) {
        return tensors.stream().allMatch(Tensor::isHostMemory);
    }

    private DeviceGraphs graphs() {
        if (isHost()) {
            throw new IllegalStateException("device tensors reached the host placement");
        }
        if (graphs == null) {
            throw new IllegalStateException("placement " + this + " is closed");
        }
        return graphs;
    }

    @Override
    public synchronized void close() {
        if (isHost()) {
            return; // the shared host placement has nothing to release
        }
        if (graphs != null) {
            graphs.close();
            graphs = null;
        }
        if (stagingAllocator != null) {
            OnnxRuntime.api().ReleaseAllocator(stagingAllocator);
            stagingAllocator = null;
        }
        if (stagingInfo != null) {
            OnnxRuntime.api().ReleaseMemoryInfo(stagingInfo);
            stagingInfo = null;
        }
        if (allocator != null) {
            OnnxRuntime.api().ReleaseAllocator(allocator);
            allocator = null;
        }
        if (info != null) {
            OnnxRuntime.api().ReleaseMemoryInfo(info);
            info = null;
        }
    }

    @Override
    public String toString() {
        return isHost() ? "host memory" : "device memory of " + provider;
    }
}
