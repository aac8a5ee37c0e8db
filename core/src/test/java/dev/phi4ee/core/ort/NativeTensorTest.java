package dev.phi4ee.core.ort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native host tensors (the host KV cache): outside the Java heap, the direct-memory limit and JavaCPP's {@code
 * maxBytes}, committed only where written, larger than one buffer, freed on close, and usable by ONNX Runtime like
 * any host tensor. Every allocation here is virtual: what is touched stays a few MiB.
 */
class NativeTensorTest {
    @TempDir
    Path dir;

    @Test
    void aLargeNativeTensorIsNeitherDirectMemoryNorCommittedUntilWritten() {
        long direct = directMemoryUsed();
        long tracked = OnnxRuntime.trackedNativeBytes();
        long native0 = Tensor.nativeBytes();
        long rss = OnnxRuntime.physicalBytes();
        // 1 GiB, as the -Xmx1g demo model's KV pool: a direct buffer would fail or commit (zero) all of it.
        try (Tensor t = Placement.host().allocateNative(ElementType.FLOAT16, 8, 2, 131072, 256)) {
            assertThat(t.byteSize()).isEqualTo(1L << 30);
            assertThat(Tensor.nativeBytes() - native0).isEqualTo(1L << 30);
            assertThat(directMemoryUsed() - direct).isLessThan(1L << 20);
            assertThat(OnnxRuntime.trackedNativeBytes() - tracked).isLessThan(1L << 20);
            assertThat(OnnxRuntime.physicalBytes() - rss).as("resident growth").isLessThan(64L << 20);
            assertThat(t.isHostMemory()).isTrue();
            assertThat(t.getFloat(12345)).isZero(); // zero-filled
            assertThat(t).hasToString("float16[8, 2, 131072, 256] (native)");
        }
        assertThat(Tensor.nativeBytes()).isEqualTo(native0);
    }

    @Test
    void byteCopiesMoveExactlyTheRangeBetweenNativeAndBufferTensorsAtLongOffsets() {
        long bytes = 3L << 30; // virtual: only the copied ranges are touched
        try (Tensor big = Tensor.allocateNative(ElementType.UINT8, bytes);
                Tensor small = Tensor.allocate(ElementType.UINT8, 64);
                Tensor back = Tensor.allocate(ElementType.UINT8, 64)) {
            for (int i = 0; i < 64; i++) {
                small.buffer().put(i, (byte) (i + 1));
            }
            long far = bytes - 100;
            small.copyBytesTo(8, big, far, 40); // bytes 9..48 land at far..far+39
            try (Tensor around = big.region(far - 4, 48)) {
                assertThat(around.buffer().get(3)).isZero();
                assertThat(around.buffer().get(4)).isEqualTo((byte) 9);
                assertThat(around.buffer().get(43)).isEqualTo((byte) 48);
                assertThat(around.buffer().get(44)).isZero();
            }
            big.copyBytesTo(far, back, 20, 40);
            assertThat(back.buffer().get(19)).isZero();
            assertThat(back.buffer().get(20)).isEqualTo((byte) 9);
            assertThat(back.buffer().get(59)).isEqualTo((byte) 48);
            assertThat(back.buffer().get(60)).isZero();
            try (Tensor view = small.region(16, 8)) { // a region of a buffer tensor starts at its own offset
                view.copyBytesTo(0, back, 0, 8);
            }
            assertThat(back.buffer().get(0)).isEqualTo((byte) 17);
            assertThatThrownBy(() -> small.copyBytesTo(60, back, 0, 8)).hasMessageContaining("outside");
            assertThatThrownBy(() -> big.copyBytesTo(bytes - 4, back, 0, 8)).hasMessageContaining("outside");
        }
    }

    @Test
    void tensorsOver2GiBAreAddressedThroughRegionsWithLongOffsets() {
        long bytes = 3L << 30; // virtual: only the two regions below are touched
        try (Tensor t = Tensor.allocateNative(ElementType.UINT8, bytes)) {
            assertThatThrownBy(t::buffer).hasMessageContaining("more than one buffer view holds");
            long far = bytes - 4096;
            try (Tensor write = t.region(far, 16);
                    Tensor read = t.region(far - 8, 24);
                    Tensor copyTo = t.region(100, 16)) {
                for (int i = 0; i < 16; i++) {
                    write.buffer().put(i, (byte) (i + 1));
                }
                assertThat(read.buffer().get(8)).isEqualTo((byte) 1);
                assertThat(read.buffer().get(23)).isEqualTo((byte) 16);
                Placement.host().copy(List.of(write), List.of(copyTo));
                assertThat(copyTo.buffer().get(15)).isEqualTo((byte) 16);
            }
            assertThatThrownBy(() -> t.region(bytes - 8, 16)).hasMessageContaining("outside");
        }
    }

    @Test
    void onnxRuntimeReadsAndWritesNativeTensorsInPlace() {
        try (OrtSession s = OrtSession.open(TinyGraphs.doubling(dir, ElementType.FLOAT), SessionSettings.cpu(1));
                Tensor pool = Tensor.allocateNative(ElementType.FLOAT, 2, 8);
                Tensor x = pool.region(0, 8);
                Tensor y = pool.region(8 * 4, 8);
                Binding b = s.newBinding()) {
            for (int i = 0; i < 8; i++) {
                x.putFloat(i, i + 0.5f);
            }
            b.input("x", x).output("y", y);
            s.run(b);
            for (int i = 0; i < 8; i++) {
                assertThat(pool.getFloat(8 + i)).isEqualTo(2 * (i + 0.5f));
            }
        }
    }

    @Test
    void nativeMemoryIsFreedWhenClosed() {
        float[] ones = new float[1 << 20];
        java.util.Arrays.fill(ones, 1f);
        long before = OnnxRuntime.physicalBytes();
        for (int i = 0; i < 200; i++) {
            try (Tensor t = Tensor.allocateNative(ElementType.FLOAT, 1024, 1024); // 4 MiB, all written
                    Tensor view = t.region(0, 1024, 1024)) {
                view.buffer().asFloatBuffer().put(ones);
            }
        }
        assertThat(OnnxRuntime.physicalBytes() - before).isLessThan(128L << 20); // 800 MiB if nothing were freed
        try (Tensor empty = Tensor.allocateNative(ElementType.FLOAT16, 1, 2, 0, 4)) {
            assertThat(empty.byteSize()).isZero(); // the growing cache's empty past
        }
    }

    private static long directMemoryUsed() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct"))
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
    }
}
