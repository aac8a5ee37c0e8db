package dev.phi4ee.core.testkit;

import dev.phi4ee.core.model.onnx.Onnx.TensorProto.DataType;
import dev.phi4ee.core.model.onnx.OnnxAdapterFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The kit's LoRA adapter files (reference §2.1, §5.1): one tensor per LoRA input of the text graph (same names,
 * float type of the model), seeded values large enough to change the logits visibly. Ranks: vision =
 * {@code loraRank} (fits the graph), speech = {@code speechLoraRank}.
 */
public final class LoraAdapters {
    public static final String VISION_FILE = "phi-4-mm-vision.onnx_adapter";
    public static final String SPEECH_FILE = "phi-4-mm-speech.onnx_adapter";

    private LoraAdapters() {}

    /** The adapter's tensors for {@code kind} ("vision" or "speech") at {@code rank}, values as floats. */
    public static List<NamedTensor> tensors(TestModelSpec spec, String kind, int rank) {
        SeededWeights weights = new SeededWeights(spec.seed());
        List<NamedTensor> tensors = new ArrayList<>();
        for (int layer = 0; layer < spec.layers(); layer++) {
            for (String target : TextGraph.LORA_TARGETS) {
                int in = TextGraph.inFeatures(spec, target);
                int out = TextGraph.outFeatures(spec, target);
                String a = TextGraph.loraName(layer, target, 'A');
                String b = TextGraph.loraName(layer, target, 'B');
                tensors.add(new NamedTensor(
                        a, new long[] {in, rank}, weights.normal(kind + "/" + a, in * rank, 0, 1 / Math.sqrt(in))));
                tensors.add(new NamedTensor(
                        b,
                        new long[] {rank, out},
                        weights.normal(kind + "/" + b, rank * out, 0, 0.5 / Math.sqrt(rank))));
            }
        }
        return tensors;
    }

    /** A named float tensor (values as float32; stored in the model's float type). */
    public record NamedTensor(String name, long[] dims, float[] values) {}

    static void write(Path dir, TestModelSpec spec) {
        if (spec.includeVision()) {
            write(dir.resolve(VISION_FILE), spec, tensors(spec, "vision", spec.loraRank()));
        }
        if (spec.includeSpeech()) {
            write(dir.resolve(SPEECH_FILE), spec, tensors(spec, "speech", spec.speechLoraRank()));
        }
    }

    private static void write(Path file, TestModelSpec spec, List<NamedTensor> tensors) {
        boolean fp16 = spec.floatType() == TestModelSpec.FloatType.FP16;
        List<OnnxAdapterFormat.Parameter> parameters = new ArrayList<>();
        for (NamedTensor t : tensors) {
            ByteBuffer data =
                    ByteBuffer.allocate(t.values().length * (fp16 ? 2 : 4)).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : t.values()) {
                if (fp16) {
                    data.putShort(Float.floatToFloat16(v));
                } else {
                    data.putFloat(v);
                }
            }
            parameters.add(new OnnxAdapterFormat.Parameter(
                    t.name(), t.dims(), (fp16 ? DataType.FLOAT16 : DataType.FLOAT).getNumber(), data.array()));
        }
        try {
            Files.write(file, OnnxAdapterFormat.encode(1, 1, parameters));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
