package dev.phi4ee.core.ort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device placement on a CPU session: ONNX Runtime-allocated tensors Java cannot read, moved only by graph runs —
 * the code path a CUDA session takes — checked against the host placement's JVM copies.
 */
class PlacementTest {
    @TempDir
    Path dir;

    private OrtSession session;
    private Placement device;

    @BeforeEach
    void open() {
        session = OrtSession.open(TinyGraphs.doubling(dir, ElementType.FLOAT), SessionSettings.cpu(1));
        device = Placement.of(session, Placement.Kind.DEVICE);
    }

    @AfterEach
    void close() {
        device.close();
        session.close();
    }

    @Test
    void autoChoosesHostMemoryOnTheCpuAndDeviceTensorsAreOpaque() {
        assertThat(Placement.of(session, Placement.Kind.AUTO).isHost()).isTrue();
        assertThat(device.isHost()).isFalse();
        assertThat(device).hasToString("device memory of cpu");
        try (Tensor t = device.allocate(ElementType.FLOAT16, 2, 3)) {
            assertThat(t.isHostMemory()).isFalse();
            assertThat(t.shape()).containsExactly(2, 3);
            assertThatThrownBy(t::buffer)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("device memory");
        }
    }

    @Test
    void pinnedHostMemoryIsAskedForOnlyOnCuda() {
        assertThat(Placement.hostStagingMemory("cuda:0")).contains("CudaPinned");
        assertThat(Placement.hostStagingMemory("cuda:3")).contains("CudaPinned");
        assertThat(Placement.hostStagingMemory("cpu")).isEmpty();
        assertThat(Placement.hostStagingMemory(null)).isEmpty(); // the host placement has no provider
    }

    @Test
    void perStepHostTensorsOnTheCpuAreZeroedDirectBuffersAsBefore() {
        for (Placement p : List.of(device, Placement.host())) {
            try (Tensor logits = p.allocateHost(ElementType.FLOAT, 2, 1, 7)) {
                assertThat(logits.isHostMemory()).isTrue();
                assertThat(logits).hasToString("float32[2, 1, 7]"); // a direct buffer, not native or device memory
                var b = logits.buffer();
                while (b.hasRemaining()) {
                    assertThat(b.get()).isZero();
                }
                assertThat(p.liveAllocations()).isZero(); // not from the session's allocator
            }
        }
    }

    @Test
    void copiesRoundTripThroughDeviceMemoryForEveryElementType() {
        for (ElementType type : List.of(ElementType.FLOAT, ElementType.FLOAT16, ElementType.UINT8, ElementType.INT64)) {
            try (Tensor src = random(type, 3, 5, 7);
                    Tensor onDevice = device.allocate(type, 3, 5, 7);
                    Tensor back = Tensor.allocate(type, 3, 5, 7)) {
                device.copy(List.of(src), List.of(onDevice));
                device.copy(List.of(onDevice), List.of(back));
                assertThat(bytes(back)).as(type.label()).isEqualTo(bytes(src));
            }
        }
    }

    @Test
    void regionsOfDeviceTensorsMoveRowsLikeHostBuffers() {
        // A [4, 2, 6, 3] "KV pool": move row 3's first 4 positions of each head to row 1, on both placements.
        ElementType type = ElementType.FLOAT16;
        try (Tensor data = random(type, 4, 2, 6, 3);
                Tensor hostPool = Tensor.allocate(type, 4, 2, 6, 3);
                Tensor devicePool = device.allocate(type, 4, 2, 6, 3);
                Tensor back = Tensor.allocate(type, 4, 2, 6, 3)) {
            Placement.host().copy(List.of(data), List.of(hostPool));
            device.copy(List.of(data), List.of(devicePool));
            for (Placement p : List.of(Placement.host(), device)) {
                Tensor pool = p.isHost() ? hostPool : devicePool;
                long head = 6 * 3 * 2;
                List<Tensor> from = List.of(pool.region(3 * 2 * head, 4, 3), pool.region(3 * 2 * head + head, 4, 3));
                List<Tensor> to = List.of(pool.region(2 * head, 4, 3), pool.region(2 * head + head, 4, 3));
                p.copy(from, to);
                from.forEach(Tensor::close);
                to.forEach(Tensor::close);
            }
            device.copy(List.of(devicePool), List.of(back));
            assertThat(bytes(back)).isEqualTo(bytes(hostPool));
            assertThat(bytes(back)).isNotEqualTo(bytes(data)); // the move changed something
        }
    }

    @Test
    void concatAndLastPositionMatchTheHostPlacement() {
        ElementType type = ElementType.FLOAT;
        try (Tensor a = random(type, 1, 5, 4);
                Tensor b = random(type, 1, 2, 4);
                Tensor hostAll = Tensor.allocate(type, 1, 7, 4);
                Tensor deviceAll = device.allocate(type, 1, 7, 4);
                Tensor deviceA = device.allocate(type, 1, 5, 4);
                Tensor back = Tensor.allocate(type, 1, 7, 4);
                Tensor logits = random(type, 2, 3, 5);
                Tensor deviceLogits = device.allocate(type, 2, 3, 5);
                Tensor hostLast = Tensor.allocate(type, 2, 1, 5);
                Tensor deviceLast = Tensor.allocate(type, 2, 1, 5)) {
            Placement.host().concat(hostAll, 1, List.of(a, b));
            device.copy(List.of(a), List.of(deviceA));
            device.concat(deviceAll, 1, List.of(deviceA, b));
            device.copy(List.of(deviceAll), List.of(back));
            assertThat(bytes(back)).isEqualTo(bytes(hostAll));
            assertThat(hostAll.getFloat(5 * 4)).isEqualTo(b.getFloat(0));

            Placement.host().lastPosition(logits, hostLast);
            device.copy(List.of(logits), List.of(deviceLogits));
            device.lastPosition(deviceLogits, deviceLast);
            assertThat(bytes(deviceLast)).isEqualTo(bytes(hostLast));
            assertThat(hostLast.getFloat(5)).isEqualTo(logits.getFloat((3 + 2) * 5));
        }
    }

    @Test
    void mismatchedShapesAreRejectedBeforeAnythingRuns() {
        try (Tensor a = Tensor.allocate(ElementType.FLOAT, 2, 3);
                Tensor b = device.allocate(ElementType.FLOAT, 3, 2)) {
            assertThatThrownBy(() -> device.copy(List.of(a), List.of(b)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot copy");
        }
    }

    @Test
    void deviceTensorsAreFreedWhenClosed() {
        long before = OnnxRuntime.physicalBytes();
        for (int i = 0; i < 400; i++) {
            try (Tensor t = device.allocate(ElementType.FLOAT, 1024, 1024); // 4 MiB each
                    Tensor rows = t.region(1 << 20, 16, 1024);
                    Tensor head = t.region(0, 16, 1024)) {
                device.copy(List.of(rows), List.of(head));
            }
        }
        // 400 × 4 MiB = 1.6 GiB if nothing were freed.
        assertThat(OnnxRuntime.physicalBytes() - before).isLessThan(256L << 20);
    }

    private static Tensor random(ElementType type, long... shape) {
        Tensor t = Tensor.allocate(type, shape);
        byte[] b = new byte[Math.toIntExact(t.byteSize())];
        new SplittableRandom(shape.length * 31L + type.onnxCode()).nextBytes(b);
        if (type == ElementType.FLOAT || type == ElementType.FLOAT16) {
            for (long i = 0; i < t.elementCount(); i++) { // finite values: NaN payloads need not survive a copy
                t.putFloat(i, (float) new SplittableRandom(i * 7 + 1).nextDouble(-4, 4));
            }
        } else {
            t.buffer().put(b);
        }
        return t;
    }

    private static byte[] bytes(Tensor t) {
        byte[] out = new byte[Math.toIntExact(t.byteSize())];
        t.buffer().get(out);
        return out;
    }
}
