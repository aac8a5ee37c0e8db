package dev.phi4ee.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.model.onnx.Onnx.ModelProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto.DataType;
import dev.phi4ee.core.testkit.OrtTestSession.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's files parse back with the schema subset and run in ONNX Runtime, external data included. */
class OnnxGraphBuilderTest {
    @TempDir
    Path tmp;

    /** y = x · big + bias, big in external data, bias an overridable initializer (default 1). */
    static OnnxGraphBuilder graph() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("test");
        g.input("x", DataType.FLOAT, "n", 2);
        g.output("y", DataType.FLOAT, "n", 2);
        float[] big = new float[2 * 2];
        big[0] = 2;
        big[3] = 3;
        String w = g.initializer("big", DataType.FLOAT, new long[] {2, 2}, big);
        String bias = g.overridableInitializer("bias", DataType.FLOAT, new long[] {2}, new float[] {1, 1});
        g.node("Add").in(g.op("MatMul", "x", w), bias).out("y");
        return g;
    }

    @Test
    void writesParsableModelWithExternalDataThatRuns() throws IOException {
        Path file = tmp.resolve("m.onnx");
        graph().write(file, "test", 16);

        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(file));
        assertThat(model.getIrVersion()).isEqualTo(OnnxGraphBuilder.IR_VERSION);
        assertThat(model.getOpsetImport(0).getVersion()).isEqualTo(OnnxGraphBuilder.ONNX_OPSET);
        assertThat(model.getGraph()
                        .getInput(0)
                        .getType()
                        .getTensorType()
                        .getShape()
                        .getDim(0)
                        .getDimParam())
                .isEqualTo("n");
        TensorProto big = model.getGraph().getInitializer(0);
        assertThat(big.getDataLocation()).isEqualTo(TensorProto.DataLocation.EXTERNAL);
        assertThat(big.getExternalData(0).getValue()).isEqualTo("m.onnx.data");
        assertThat(model.getGraph().getInitializer(1).getRawData().size()).isEqualTo(8); // bias stays inline
        assertThat(tmp.resolve("m.onnx.data")).exists();

        try (OrtTestSession s = new OrtTestSession(file)) {
            Tensor x = Tensor.f32(new float[] {1, 1, 2, 0}, 2, 2);
            assertThat(s.run(Map.of("x", x)).get("y").floats()).containsExactly(3, 4, 5, 1);
            Tensor bias = Tensor.f32(new float[] {10, 20}, 2);
            assertThat(s.run(Map.of("x", x, "bias", bias)).get("y").floats()).containsExactly(12, 23, 14, 20);
        }
    }

    @Test
    void float16InitializersAreRoundedLittleEndianHalfs() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("h");
        g.initializer("h", DataType.FLOAT16, new long[] {2}, new float[] {1.0f, -0.5f});
        byte[] raw = g.graph().getInitializer(0).getRawData().toByteArray();
        assertThat(raw).containsExactly(0x00, 0x3c, 0x00, 0xb8);
    }
}
