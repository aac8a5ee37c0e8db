package dev.phi4ee.core.testkit;

import static dev.phi4ee.core.testkit.DecoderRunner.maxAbsDiff;
import static dev.phi4ee.core.testkit.DecoderRunner.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.phi4ee.core.model.onnx.Onnx.GraphProto;
import dev.phi4ee.core.model.onnx.Onnx.ModelProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorShapeProto;
import dev.phi4ee.core.model.onnx.Onnx.ValueInfoProto;
import dev.phi4ee.core.model.onnx.OnnxAdapterFormat;
import dev.phi4ee.core.testkit.OrtTestSession.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.onnxruntime.LoraAdapter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reference §5.4c on the kit: widening the text graph's LoRA rank (inputs and zero defaults, via the schema subset)
 * lets the larger-rank speech adapter run, and a zero-padded vision adapter gives exactly the unpadded result.
 */
class LoraRankWideningTest {
    @TempDir
    Path tmp;

    static final long[] PROMPT = {9_906, 11, 1_917, 382};

    /** Rewrites {@code text} with every LoRA rank dim set to {@code rank}; the external data file is shared. */
    static Path widen(Path dir, int rank) throws IOException {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(dir.resolve(Phi4TestModels.TEXT_FILE)));
        GraphProto.Builder g = model.getGraph().toBuilder();
        for (int i = 0; i < g.getInputCount(); i++) {
            ValueInfoProto in = g.getInput(i);
            int rankAxis = rankAxis(in.getName());
            if (rankAxis >= 0) {
                TensorShapeProto.Builder shape = in.getType().getTensorType().getShape().toBuilder();
                shape.setDim(rankAxis, shape.getDim(rankAxis).toBuilder().setDimValue(rank));
                ValueInfoProto.Builder widened = in.toBuilder();
                widened.getTypeBuilder().getTensorTypeBuilder().setShape(shape);
                g.setInput(i, widened);
            }
        }
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            int rankAxis = rankAxis(t.getName());
            if (rankAxis >= 0) {
                // zeros may be typed fields (the release builder's form) or raw_data; the widened ones are raw_data
                int elementBytes = t.getDataType() == TensorProto.DataType.FLOAT_VALUE ? 4 : 2;
                TensorProto.Builder widened =
                        t.toBuilder().clearFloatData().clearInt32Data().setDims(rankAxis, rank);
                widened.setRawData(
                        ByteString.copyFrom(new byte[(int) (widened.getDims(0) * widened.getDims(1)) * elementBytes]));
                g.setInitializer(i, widened);
            }
        }
        Path file = dir.resolve("phi-4-mm-text.widened-" + rank + ".onnx");
        Files.write(file, model.toBuilder().setGraph(g).build().toByteArray());
        return file;
    }

    static int rankAxis(String name) {
        return name.endsWith(".lora_A.MatMul.weight") ? 1 : name.endsWith(".lora_B.MatMul.weight") ? 0 : -1;
    }

    /** Zero-pads every A [in, r] to [in, rank] (new columns) and B [r, out] to [rank, out] (new rows): B′A′ = BA. */
    static byte[] padAdapter(Path file, int rank) throws IOException {
        OnnxAdapterFormat.Adapter adapter = OnnxAdapterFormat.decode(Files.readAllBytes(file));
        List<OnnxAdapterFormat.Parameter> padded = new ArrayList<>();
        for (OnnxAdapterFormat.Parameter p : adapter.parameters()) {
            long[] dims = p.dims();
            int elementBytes = p.data().length / (int) (dims[0] * dims[1]);
            byte[] data;
            if (rankAxis(p.name()) == 1) {
                int rows = (int) dims[0];
                int oldRow = (int) dims[1] * elementBytes;
                int newRow = rank * elementBytes;
                data = new byte[rows * newRow];
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(p.data(), r * oldRow, data, r * newRow, oldRow);
                }
                dims[1] = rank;
            } else {
                data = java.util.Arrays.copyOf(p.data(), rank * (int) dims[1] * elementBytes);
                dims[0] = rank;
            }
            padded.add(new OnnxAdapterFormat.Parameter(p.name(), dims, p.dataType(), data));
        }
        return OnnxAdapterFormat.encode(adapter.adapterVersion(), adapter.modelVersion(), padded);
    }

    static LoraAdapter adapterFromBytes(byte[] bytes) {
        try (org.bytedeco.javacpp.BytePointer data = new org.bytedeco.javacpp.BytePointer(bytes)) {
            return LoraAdapter.CreateLoraAdapterFromArray(data, bytes.length, null);
        }
    }

    static Map<String, Tensor> inputs(DecoderRunner model) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("inputs_embeds", model.embed(PROMPT));
        in.put("attention_mask", DecoderRunner.ones(PROMPT.length));
        for (int i = 0; i < model.spec.layers(); i++) {
            in.put("past_key_values." + i + ".key", model.emptyPast());
            in.put("past_key_values." + i + ".value", model.emptyPast());
        }
        return in;
    }

    @ParameterizedTest
    @EnumSource(TestModelSpec.FloatType.class)
    void widenedGraphRunsSpeechAdapterAndPaddedVisionAdapterExactly(TestModelSpec.FloatType floatType)
            throws IOException {
        TestModelSpec spec = TestModelSpec.builder().floatType(floatType).build();
        Path dir = Phi4TestModels.write(tmp.resolve(floatType.name()), spec); // own copy: a file is added to it
        int wide = spec.speechLoraRank();
        Path widened = widen(dir, wide);
        int last = PROMPT.length - 1;
        try (DecoderRunner model = new DecoderRunner(dir, spec);
                OrtTestSession wideText = new OrtTestSession(widened);
                LoraAdapter vision = OrtTestSession.loadAdapter(dir.resolve(LoraAdapters.VISION_FILE));
                LoraAdapter paddedVision = adapterFromBytes(padAdapter(dir.resolve(LoraAdapters.VISION_FILE), wide));
                LoraAdapter speech = OrtTestSession.loadAdapter(dir.resolve(LoraAdapters.SPEECH_FILE))) {
            float[] base = row(model.text.run(inputs(model)).get("logits"), last);
            float[] wideBase = row(wideText.run(inputs(model)).get("logits"), last);
            float[] visionNarrow =
                    row(model.text.runWithAdapter(inputs(model), vision).get("logits"), last);
            float[] visionWide =
                    row(wideText.runWithAdapter(inputs(model), paddedVision).get("logits"), last);
            float[] speechWide =
                    row(wideText.runWithAdapter(inputs(model), speech).get("logits"), last);

            assertThat(wideBase).containsExactly(base);
            assertThat(maxAbsDiff(visionNarrow, visionWide)).isLessThan(1e-5);
            assertThat(maxAbsDiff(base, speechWide)).isGreaterThan(0.5);
            assertThat(maxAbsDiff(visionWide, speechWide)).isGreaterThan(0.5);
        }
    }

    @Test
    void paddedAdapterKeepsTheOriginalValues() throws IOException {
        TestModelSpec spec = TestModelSpec.defaults();
        Path dir = Phi4TestModels.shared(spec);
        OnnxAdapterFormat.Adapter padded =
                OnnxAdapterFormat.decode(padAdapter(dir.resolve(LoraAdapters.VISION_FILE), 10));
        OnnxAdapterFormat.Parameter a = padded.parameters().get(0);
        assertThat(a.name()).endsWith("lora_A.MatMul.weight");
        assertThat(a.dims()).containsExactly(spec.hidden(), 10);
        float[] original =
                LoraAdapters.tensors(spec, "vision", spec.loraRank()).get(0).values();
        java.nio.FloatBuffer values = java.nio.ByteBuffer.wrap(a.data())
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer();
        assertThat(values.get(0)).isEqualTo(original[0]);
        assertThat(values.get(spec.loraRank() - 1)).isEqualTo(original[spec.loraRank() - 1]);
        assertThat(values.get(spec.loraRank())).isZero();
        assertThat(values.get(10)).isEqualTo(original[spec.loraRank()]);
    }
}
