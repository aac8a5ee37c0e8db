package dev.phi4ee.core.model.lora;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.phi4ee.core.model.onnx.Onnx.GraphProto;
import dev.phi4ee.core.model.onnx.Onnx.ModelProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto.DataType;
import dev.phi4ee.core.model.onnx.OnnxAdapterFormat;
import dev.phi4ee.core.testkit.LoraAdapters;
import dev.phi4ee.core.testkit.OnnxGraphBuilder;
import dev.phi4ee.core.testkit.OnnxGraphBuilder.TensorStorage;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The streaming widening ({@link LoraGraph#widen}, written from the mapped file) gives the same model as the
 * protobuf-object rewrite it replaced ({@link ModelProtoWidening}): parsed, the two ModelProtos are equal, whatever
 * way the LoRA zeros are stored — inline {@code int32_data}/{@code float_data} as the release's builder writes them
 * (reference §5.1), {@code raw_data}, or external data — in the kit's float LoRA (fp32, fp16 with Reshape shape
 * constants) and the release's int4 layout.
 */
class LoraStreamingWideningTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(TensorStorage.class)
    void kitGraphWidensToTheSameModelAsTheProtobufRewrite(TensorStorage zeros) throws IOException {
        for (TestModelSpec.FloatType type : TestModelSpec.FloatType.values()) {
            TestModelSpec spec =
                    TestModelSpec.builder().floatType(type).loraZeros(zeros).build();
            Path dir = Phi4TestModels.write(tmp.resolve(type + "-" + zeros), spec);
            Path text = dir.resolve(Phi4TestModels.TEXT_FILE);
            Path vision = dir.resolve(LoraAdapters.VISION_FILE);
            LoraRankPlan plan = LoraRankFit.plan(text, List.of(vision, dir.resolve(LoraAdapters.SPEECH_FILE)));
            assertThat(plan.decoder().rank()).isEqualTo(spec.speechLoraRank());
            ModelProto expected =
                    reference(text, plan.adapter(vision).orElseThrow().targetRanks());
            assertSameModel(streamed(plan), expected);
        }
    }

    @ParameterizedTest
    @EnumSource(TensorStorage.class)
    void kitStoresLoraZerosAsAsked(TensorStorage zeros) throws IOException {
        for (TestModelSpec.FloatType type : TestModelSpec.FloatType.values()) {
            TestModelSpec spec =
                    TestModelSpec.builder().floatType(type).loraZeros(zeros).build();
            Path dir = Phi4TestModels.write(tmp.resolve(type + "-" + zeros), spec);
            TensorProto a0 = initializer(
                    dir.resolve(Phi4TestModels.TEXT_FILE), Phi4TestModels.loraInputName(0, "attn.q_proj", 'A'));
            long elements = (long) spec.hidden() * spec.loraRank();
            switch (zeros) {
                case TYPED_FIELDS -> {
                    // onnx helper.make_tensor: float_data for float32, int32_data (bit patterns) for float16
                    assertThat(a0.hasRawData()).isFalse();
                    assertThat(type == TestModelSpec.FloatType.FP32 ? a0.getFloatDataCount() : a0.getInt32DataCount())
                            .isEqualTo(elements);
                    assertThat(a0.getDataLocation()).isEqualTo(TensorProto.DataLocation.DEFAULT);
                }
                case RAW_DATA ->
                    assertThat(a0.getRawData().size())
                            .isEqualTo(elements * (type == TestModelSpec.FloatType.FP32 ? 4 : 2));
                case EXTERNAL_DATA -> {
                    assertThat(a0.getDataLocation()).isEqualTo(TensorProto.DataLocation.EXTERNAL);
                    assertThat(a0.hasRawData()).isFalse();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TensorStorage.class)
    void releaseInt4LayoutWidensToTheSameModelAsTheProtobufRewrite(TensorStorage zeros) throws IOException {
        ReleaseScaleLora.Written files = ReleaseScaleLora.write(tmp, 1, zeros);
        LoraRankPlan plan = LoraRankFit.plan(files.graph(), List.of(files.vision(), files.speech()));
        assertThat(plan.decoder().rank()).isEqualTo(ReleaseScaleLora.SPEECH_RANK);
        Map<String, Integer> ranks = plan.adapter(files.vision()).orElseThrow().targetRanks();
        assertSameModel(streamed(plan), reference(files.graph(), ranks));
    }

    @ParameterizedTest
    @EnumSource(TensorStorage.class)
    void reshapeRestatingTheLoraShapeGetsAWidenedShapeConstant(TensorStorage zeros) throws IOException {
        String a = "model.layers.0.attn.q_proj.lora_A.MatMul.weight";
        String b = "model.layers.0.attn.q_proj.lora_B.MatMul.weight";
        OnnxGraphBuilder g = new OnnxGraphBuilder("reshape_lora");
        g.input("x", DataType.FLOAT, 1, 16);
        g.overridableInitializer(a, DataType.FLOAT, new long[] {16, 4}, new float[64], zeros);
        g.overridableInitializer(b, DataType.FLOAT, new long[] {4, 8}, new float[32], zeros);
        String shape = g.constInt64(16, 4);
        String xa = g.op("MatMul", "x", g.op("Reshape", a, shape));
        g.node("MatMul").in(xa, b).out("y");
        g.output("y", DataType.FLOAT, 1, 8);
        Path graph = tmp.resolve("reshape.onnx");
        g.write(graph, "test", Long.MAX_VALUE);
        Path adapter = Files.write(
                tmp.resolve("r6.onnx_adapter"),
                OnnxAdapterFormat.encode(
                        1,
                        1,
                        List.of(
                                new OnnxAdapterFormat.Parameter(a, new long[] {16, 6}, 1, new byte[16 * 6 * 4]),
                                new OnnxAdapterFormat.Parameter(b, new long[] {6, 8}, 1, new byte[6 * 8 * 4]))));

        LoraRankPlan plan = LoraRankFit.plan(graph, List.of(adapter));
        ModelProto widened = streamed(plan);
        assertSameModel(widened, reference(graph, Map.of("model.layers.0.attn.q_proj", 6)));
        TensorProto constant = widened.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals(shape + "/rank_widened/" + a))
                .findFirst()
                .orElseThrow();
        ByteBuffer values = constant.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(values.getLong(0)).isEqualTo(16);
        assertThat(values.getLong(8)).isEqualTo(6);
        assertThat(widened.getGraph().getNodeList())
                .anySatisfy(n -> assertThat(n.getInputList()).containsExactly(a, constant.getName()));
    }

    @Test
    void rankCarryingValueInfoIsDroppedAndOtherValueInfoKept() throws IOException {
        ReleaseScaleLora.Written files = ReleaseScaleLora.write(tmp, 1, TensorStorage.TYPED_FIELDS);
        LoraRankPlan plan = LoraRankFit.plan(files.graph(), List.of(files.speech()));
        List<String> names = streamed(plan).getGraph().getValueInfoList().stream()
                .map(v -> v.getName())
                .toList();
        assertThat(names).hasSize(ReleaseScaleLora.TARGETS.length).allMatch(n -> n.startsWith("y."));
    }

    @Test
    void fieldsTheSchemaDoesNotKnowAreCopiedUnchanged() throws IOException {
        ReleaseScaleLora.Written files = ReleaseScaleLora.write(tmp, 1, TensorStorage.TYPED_FIELDS);
        ModelProto original = ModelProto.parseFrom(Files.readAllBytes(files.graph()));
        // e.g. ModelProto.functions (25) and GraphProto.sparse_initializer (15), absent from onnx_subset.proto
        UnknownFieldSet extra = UnknownFieldSet.newBuilder()
                .addField(
                        25,
                        UnknownFieldSet.Field.newBuilder()
                                .addLengthDelimited(ByteString.copyFromUtf8("function"))
                                .build())
                .build();
        GraphProto graph =
                original.getGraph().toBuilder().setUnknownFields(extra).build();
        ModelProto withUnknown =
                original.toBuilder().setGraph(graph).setUnknownFields(extra).build();
        Path file = Files.write(tmp.resolve("unknown.onnx"), withUnknown.toByteArray());
        LoraRankPlan plan = LoraRankFit.plan(file, List.of(files.speech()));
        ModelProto widened = streamed(plan);
        assertThat(widened.getUnknownFields()).isEqualTo(extra);
        assertThat(widened.getGraph().getUnknownFields()).isEqualTo(extra);
        assertSameModel(widened, reference(file, ranksOf(plan, files.speech())));
    }

    @Test
    void announcedSizeIsWhatIsWritten() throws IOException {
        ReleaseScaleLora.Written files = ReleaseScaleLora.write(tmp, 1, TensorStorage.TYPED_FIELDS);
        LoraRankPlan plan = LoraRankFit.plan(files.graph(), List.of(files.speech()));
        long size = plan.decoder().widenedSize();
        ByteBuffer direct = ByteBuffer.allocateDirect(Math.toIntExact(size) + 3).position(3);
        plan.decoder().writeWidened(direct);
        assertThat(direct.position()).isEqualTo(size + 3);
        // int4 zeros: 1 byte per element inline (a 0x00 varint) become raw bytes; the rank grows 256 → 320
        assertThat(size).isGreaterThan(Files.size(files.graph()));
    }

    /** Ranks the plan widened the graph to: the speech adapter's own, as it fits the widened graph. */
    private static Map<String, Integer> ranksOf(LoraRankPlan plan, Path speech) {
        return plan.adapter(speech).orElseThrow().content().layout().ranks();
    }

    /**
     * Equal models; on a difference, the structure (tensor data left out) is compared first so that the failure
     * shows what differs without printing millions of elements.
     */
    static void assertSameModel(ModelProto actual, ModelProto expected) {
        if (!actual.equals(expected)) {
            assertThat(withoutData(actual)).isEqualTo(withoutData(expected));
            throw new AssertionError("the models differ in tensor data");
        }
    }

    private static ModelProto withoutData(ModelProto model) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            g.setInitializer(
                    i,
                    t.toBuilder()
                            .clearRawData()
                            .clearInt32Data()
                            .clearFloatData()
                            .setDocString(t.getRawData().size() + " raw bytes, " + t.getInt32DataCount() + " int32, "
                                    + t.getFloatDataCount() + " float"));
        }
        return model.toBuilder().setGraph(g).build();
    }

    static ModelProto streamed(LoraRankPlan plan) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(plan.decoder().widenedSize()));
        plan.decoder().writeWidened(bytes);
        return ModelProto.parseFrom(bytes.flip());
    }

    static ModelProto reference(Path graph, Map<String, Integer> ranks) throws IOException {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(graph));
        return ModelProtoWidening.of(model, graph.getFileName().toString())
                .widen(ranks, graph.toAbsolutePath().getParent());
    }

    private static TensorProto initializer(Path graph, String name) throws IOException {
        return ModelProto.parseFrom(Files.readAllBytes(graph)).getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
