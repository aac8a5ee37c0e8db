package dev.phi4ee.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.phi4ee.core.model.lora.LoraRankFit;
import dev.phi4ee.core.model.lora.LoraRankPlan;
import dev.phi4ee.core.model.onnx.Onnx.AttributeProto;
import dev.phi4ee.core.model.onnx.Onnx.GraphProto;
import dev.phi4ee.core.model.onnx.Onnx.ModelProto;
import dev.phi4ee.core.model.onnx.Onnx.NodeProto;
import dev.phi4ee.core.model.onnx.Onnx.OperatorSetIdProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto.DataType;
import dev.phi4ee.core.model.onnx.Onnx.TensorShapeProto;
import dev.phi4ee.core.model.onnx.Onnx.TypeProto;
import dev.phi4ee.core.model.onnx.Onnx.ValueInfoProto;
import dev.phi4ee.core.model.onnx.OnnxAdapterFormat;
import dev.phi4ee.core.testkit.OrtTestSession.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.onnxruntime.LoraAdapter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release's int4 LoRA form (reference §5.1, §5.4 c) on a one-target graph: x → MatMulNBits(lora_A_Q4, N = r)
 * → MatMulNBits(lora_B_Q4, K = r) with zero-default uint8 weights and float scales. Rank 24 (one 32-block of
 * lora_B) widened to 40 (two blocks): the rows added to lora_A are 0x88 with scale 0, lora_B gains a whole block.
 */
class LoraRankFitInt4Test {
    static final int K = 64;
    static final int OUT = 48;
    static final int BLOCK = 32;
    static final String TARGET = "model.layers.0.attn.q_proj";
    static final String A = TARGET + ".lora_A.MatMul.weight";
    static final String B = TARGET + ".lora_B.MatMul.weight";

    @TempDir
    static Path tmp;

    static Path graph24;
    static Path adapter24;
    static Path adapter40;
    static LoraRankPlan plan;
    static Path widened;

    @BeforeAll
    static void write() throws IOException {
        graph24 = Files.write(tmp.resolve("text24.onnx"), graph(24).toByteArray());
        adapter24 = Files.write(tmp.resolve("a24.onnx_adapter"), adapter(24, 1));
        adapter40 = Files.write(tmp.resolve("a40.onnx_adapter"), adapter(40, 2));
        plan = LoraRankFit.plan(graph24, List.of(adapter24, adapter40));
        widened = LoraRankFitTest.writeBeside(tmp, "text24.widened.onnx", plan.decoder());
    }

    static long blocks(long k) {
        return (k + BLOCK - 1) / BLOCK;
    }

    static ModelProto graph(int rank) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("int4_lora");
        g.addInput(info("x", DataType.FLOAT, 1, K));
        g.addOutput(info("y", DataType.FLOAT, 1, OUT));
        long aBlocks = blocks(K);
        long bBlocks = blocks(rank);
        overridable(g, A + "_Q4", DataType.UINT8, new byte[(int) (rank * aBlocks * 16)], rank, aBlocks, 16);
        overridable(g, A + "_scales", DataType.FLOAT, new byte[(int) (rank * aBlocks * 4)], rank * aBlocks);
        overridable(g, B + "_Q4", DataType.UINT8, new byte[(int) (OUT * bBlocks * 16)], OUT, bBlocks, 16);
        overridable(g, B + "_scales", DataType.FLOAT, new byte[(int) (OUT * bBlocks * 4)], OUT * bBlocks);
        g.addNode(matMulNBits("lora_A", "x", A, "xa", K, rank));
        g.addNode(matMulNBits("lora_B", "xa", B, "y", rank, OUT));
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .addOpsetImport(OperatorSetIdProto.newBuilder()
                        .setDomain("com.microsoft")
                        .setVersion(1))
                .setGraph(g)
                .build();
    }

    static NodeProto matMulNBits(String name, String in, String weight, String out, long k, long n) {
        return NodeProto.newBuilder()
                .setName(name)
                .setOpType("MatMulNBits")
                .setDomain("com.microsoft")
                .addInput(in)
                .addInput(weight + "_Q4")
                .addInput(weight + "_scales")
                .addOutput(out)
                .addAttribute(intAttr("K", k))
                .addAttribute(intAttr("N", n))
                .addAttribute(intAttr("bits", 4))
                .addAttribute(intAttr("block_size", BLOCK))
                .build();
    }

    static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(v)
                .build();
    }

    static ValueInfoProto info(String name, DataType type, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(type.getNumber())
                                .setShape(shape)))
                .build();
    }

    /** Like the release (§5.1) the LoRA inputs have symbolic dims: only MatMulNBits' static K/N pin the rank. */
    static void overridable(GraphProto.Builder g, String name, DataType type, byte[] data, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(name + "_dim" + i));
        }
        g.addInput(ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(type.getNumber())
                                .setShape(shape))));
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName(name)
                .setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(data));
        for (long d : dims) {
            t.addDims(d);
        }
        g.addInitializer(t);
    }

    /** A random int4 adapter of {@code rank} (any nibbles, scales around 0.05). */
    static byte[] adapter(int rank, long seed) {
        Random random = new Random(seed);
        long aBlocks = blocks(K);
        long bBlocks = blocks(rank);
        return OnnxAdapterFormat.encode(
                1,
                1,
                List.of(
                        q4(A, random, rank, aBlocks),
                        scales(A, random, rank * aBlocks),
                        q4(B, random, OUT, bBlocks),
                        scales(B, random, OUT * bBlocks)));
    }

    static OnnxAdapterFormat.Parameter q4(String name, Random random, long n, long blocks) {
        byte[] data = new byte[(int) (n * blocks * 16)];
        random.nextBytes(data);
        return new OnnxAdapterFormat.Parameter(
                name + "_Q4", new long[] {n, blocks, 16}, DataType.UINT8.getNumber(), data);
    }

    static OnnxAdapterFormat.Parameter scales(String name, Random random, long count) {
        ByteBuffer b = ByteBuffer.allocate((int) count * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            b.putFloat((float) (0.05 * (0.5 + random.nextDouble())));
        }
        return new OnnxAdapterFormat.Parameter(
                name + "_scales", new long[] {count}, DataType.FLOAT.getNumber(), b.array());
    }

    static LoraAdapter load(byte[] bytes) {
        try (BytePointer data = new BytePointer(bytes)) {
            return LoraAdapter.CreateLoraAdapterFromArray(data, bytes.length, null);
        }
    }

    static float[] run(Path graph, LoraAdapter adapter) {
        float[] x = new float[K];
        Random random = new Random(7);
        for (int i = 0; i < K; i++) {
            x[i] = (float) random.nextGaussian();
        }
        try (OrtTestSession s = new OrtTestSession(graph)) {
            Map<String, Tensor> in = Map.of("x", Tensor.f32(x, 1, K));
            return (adapter == null ? s.run(in) : s.runWithAdapter(in, adapter))
                    .get("y")
                    .floats();
        }
    }

    @Test
    void planWidensTo40AndPadsTheRank24Adapter() {
        assertThat(plan.decoder().rank()).isEqualTo(40);
        assertThat(plan.adapter(adapter24).orElseThrow().isPadded()).isTrue();
        assertThat(plan.adapter(adapter40).orElseThrow().isPadded()).isFalse();
    }

    @Test
    void unpatchedGraphRejectsTheRank40Adapter() throws IOException {
        try (LoraAdapter a40 = load(Files.readAllBytes(adapter40))) {
            assertThatThrownBy(() -> run(graph24, a40))
                    .isInstanceOf(RuntimeException.class)
                    .hasMessageContaining("MatMulNBits");
        }
    }

    @Test
    void paddedInt4AdapterOnWidenedGraphEqualsOriginal() throws IOException {
        float[] original;
        try (LoraAdapter a24 = load(Files.readAllBytes(adapter24))) {
            original = run(graph24, a24);
        }
        float[] padded;
        try (LoraAdapter a24 = load(plan.adapter(adapter24).orElseThrow().paddedBytes())) {
            padded = run(widened, a24);
        }
        assertThat(DecoderRunner.maxAbsDiff(original, new float[OUT])).isGreaterThan(0.01);
        assertThat(DecoderRunner.maxAbsDiff(padded, original)).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void nativeRankInt4AdapterOnWidenedGraphEqualsGraphBuiltAtThatRank() throws IOException {
        Path graph40 = Files.write(tmp.resolve("text40.onnx"), graph(40).toByteArray());
        try (LoraAdapter a40 = load(Files.readAllBytes(adapter40))) {
            float[] onNative = run(graph40, a40);
            float[] onWidened = run(widened, a40);
            assertThat(DecoderRunner.maxAbsDiff(onNative, new float[OUT])).isGreaterThan(0.01);
            assertThat(DecoderRunner.maxAbsDiff(onWidened, onNative)).isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void noAdapterAddsExactlyZero() {
        assertThat(run(widened, null)).containsOnly(0f);
    }
}
