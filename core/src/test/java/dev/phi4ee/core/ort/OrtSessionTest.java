package dev.phi4ee.core.ort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtSessionTest {
    @TempDir
    Path dir;

    @Test
    void readsSignatureWithSymbolicDims() {
        try (OrtSession s = OrtSession.open(TinyGraphs.doubling(dir, ElementType.FLOAT16), SessionSettings.cpu(1))) {
            assertThat(s.executionProvider()).isEqualTo("cpu");
            assertThat(s.inputs()).hasSize(1);
            TensorInfo x = s.inputs().get(0);
            assertThat(x.name()).isEqualTo("x");
            assertThat(x.onnxType()).isEqualTo(ElementType.FLOAT16.onnxCode());
            assertThat(x.shape()).containsExactly(-1L);
            assertThat(x.shapeLabel()).isEqualTo("[n]");
            assertThat(s.output("y")).isPresent();
        }
    }

    @Test
    void runsInPlaceOnDirectBuffersFp32AndFp16() {
        for (ElementType type : new ElementType[] {ElementType.FLOAT, ElementType.FLOAT16}) {
            try (OrtSession s = OrtSession.open(TinyGraphs.doubling(dir, type), SessionSettings.cpu(1));
                    Tensor x = Tensor.allocate(type, 3);
                    Tensor y = Tensor.allocate(type, 3);
                    Binding b = s.newBinding()) {
                x.putFloat(0, 1.5f);
                x.putFloat(1, -2f);
                x.putFloat(2, 0.25f);
                b.input("x", x).output("y", y);
                s.run(b);
                assertThat(new float[] {y.getFloat(0), y.getFloat(1), y.getFloat(2)})
                        .containsExactly(3f, -4f, 0.5f);
                // The same binding sees new input values without rebinding: the value aliases the buffer.
                x.putFloat(1, 10f);
                s.run(b);
                assertThat(y.getFloat(1)).isEqualTo(20f);
            }
        }
    }

    @Test
    void wrapUsesBufferPositionAsOffsetAndViewsSharePrefix() {
        try (OrtSession s = OrtSession.open(TinyGraphs.doubling(dir, ElementType.FLOAT), SessionSettings.cpu(1));
                Tensor backing = Tensor.allocate(ElementType.FLOAT, 8);
                Binding b = s.newBinding()) {
            for (int i = 0; i < 8; i++) {
                backing.putFloat(i, i);
            }
            var buf = backing.buffer().position(4 * 5);
            try (Tensor tail = Tensor.wrap(buf, ElementType.FLOAT, 3);
                    Tensor head = backing.view(2);
                    Tensor y = Tensor.allocate(ElementType.FLOAT, 3);
                    Tensor y2 = Tensor.allocate(ElementType.FLOAT, 2)) {
                s.run(b.input("x", tail).output("y", y));
                assertThat(new float[] {y.getFloat(0), y.getFloat(1), y.getFloat(2)})
                        .containsExactly(10f, 12f, 14f);
                s.run(b.input("x", head).output("y", y2));
                assertThat(new float[] {y2.getFloat(0), y2.getFloat(1)}).containsExactly(0f, 2f);
            }
        }
    }

    @Test
    void zeroElementTensorsRun() {
        try (OrtSession s = OrtSession.open(TinyGraphs.doubling(dir, ElementType.FLOAT), SessionSettings.cpu(1));
                Tensor x = Tensor.allocate(ElementType.FLOAT, 0);
                Tensor y = Tensor.allocate(ElementType.FLOAT, 0);
                Binding b = s.newBinding()) {
            s.run(b.input("x", x).output("y", y));
            assertThat(y.elementCount()).isZero();
        }
    }

    @Test
    void wrongDtypeAndBadFileFailWithRuntimeMessage() throws Exception {
        try (OrtSession s = OrtSession.open(TinyGraphs.doubling(dir, ElementType.FLOAT16), SessionSettings.cpu(1));
                Tensor x = Tensor.allocate(ElementType.FLOAT, 2);
                Tensor y = Tensor.allocate(ElementType.FLOAT16, 2);
                Binding b = s.newBinding()) {
            b.input("x", x).output("y", y);
            assertThatThrownBy(() -> s.run(b)).isInstanceOf(OrtFailure.class).hasMessageContaining("doubling");
        }
        Path junk = Files.writeString(dir.resolve("junk.onnx"), "not a model");
        assertThatThrownBy(() -> OrtSession.open(junk, SessionSettings.cpu(1))).isInstanceOf(OrtFailure.class);
    }

    @Test
    void cudaFallsBackToCpuUnlessStrict() {
        Path f = TinyGraphs.doubling(dir, ElementType.FLOAT);
        var lenient = new SessionSettings("cuda:0", false, 1, SessionSettings.Optimization.ALL);
        try (OrtSession s = OrtSession.open(f, lenient)) {
            // On a CPU-only build/machine the session must still work, on the CPU.
            if (!OnnxRuntime.compiledProviders().contains("CUDAExecutionProvider")) {
                assertThat(s.executionProvider()).isEqualTo("cpu");
            }
        }
        if (!OnnxRuntime.compiledProviders().contains("CUDAExecutionProvider")) {
            var strict = new SessionSettings("cuda", true, 1, SessionSettings.Optimization.ALL);
            assertThatThrownBy(() -> OrtSession.open(f, strict))
                    .isInstanceOf(OrtFailure.class)
                    .hasMessageContaining("strict");
        }
    }

    @Test
    void tensorsCreatedInsideANativeScopeOutliveIt() {
        try (OrtSession s = OrtSession.open(TinyGraphs.doubling(dir, ElementType.FLOAT), SessionSettings.cpu(1));
                Binding b = s.newBinding()) {
            Tensor x;
            Tensor y;
            try (NativeScope scope = NativeScope.open()) {
                x = Tensor.allocate(ElementType.FLOAT, 2);
                y = Tensor.allocate(ElementType.FLOAT, 2);
            }
            x.putFloat(0, 4f);
            s.run(b.input("x", x).output("y", y));
            assertThat(y.getFloat(0)).isEqualTo(8f);
            x.close();
            y.close();
        }
    }
}
