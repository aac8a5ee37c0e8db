package dev.phi4ee.core.ort;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Creating and closing 1,000 sessions, each with a binding and a run, must not grow the process's resident memory by
 * more than a fixed bound. Leaving the 1,000 sessions open was measured at +100 MiB of resident memory, twice the
 * bound; closing everything measures at or below zero. The bound leaves room for allocator caching and JIT.
 */
class NativeMemoryTest {
    private static final long BOUND_BYTES = 48L << 20;

    @TempDir
    Path dir;

    @Test
    void thousandSessionsAndRunsDoNotGrowNativeMemory() {
        Path model = TinyGraphs.doubling(dir, ElementType.FLOAT16);
        cycle(model, 100); // warm-up: natives, JIT, allocator pools
        System.gc();
        long before = OnnxRuntime.physicalBytes();
        cycle(model, 1000);
        System.gc();
        long grown = OnnxRuntime.physicalBytes() - before;
        System.out.printf(
                "native memory growth after 1000 session cycles: %d KiB (bound %d KiB)%n",
                grown >> 10, BOUND_BYTES >> 10);
        assertThat(grown).isLessThan(BOUND_BYTES);
    }

    private static void cycle(Path model, int n) {
        for (int i = 0; i < n; i++) {
            try (OrtSession s = OrtSession.open(model, SessionSettings.cpu(1));
                    Tensor x = Tensor.allocate(ElementType.FLOAT16, 64);
                    Tensor y = Tensor.allocate(ElementType.FLOAT16, 64);
                    Binding b = s.newBinding()) {
                b.input("x", x).output("y", y);
                s.run(b);
                s.run(b);
            }
        }
    }
}
