package dev.phi4ee.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;

import dev.phi4ee.core.testkit.OrtTestSession.Port;
import dev.phi4ee.core.testkit.TestModelSpec.FloatType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every graph loads in ONNX Runtime (ORT_ENABLE_ALL) with the release's I/O names, dtypes and dims (§3). */
class GraphContractTest {
    static final int V = Phi4Ids.VOCAB_SIZE;

    static String describe(Port p) {
        List<String> dims = new ArrayList<>();
        for (int i = 0; i < p.shape().length; i++) {
            dims.add(
                    p.shape()[i] >= 0
                            ? Long.toString(p.shape()[i])
                            : p.symbolic().get(i));
        }
        String type =
                switch (p.elementType()) {
                    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> "float";
                    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> "float16";
                    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> "int64";
                    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> "bool";
                    default -> "type" + p.elementType();
                };
        return p.name() + " " + type + " " + dims;
    }

    static List<String> describe(List<Port> ports) {
        return ports.stream().map(GraphContractTest::describe).toList();
    }

    @ParameterizedTest
    @EnumSource(FloatType.class)
    void graphsHaveTheReleaseContract(FloatType floatType) {
        TestModelSpec spec = TestModelSpec.builder().floatType(floatType).build();
        Path dir = Phi4TestModels.shared(spec);
        String f = floatType == FloatType.FP16 ? "float16" : "float";

        try (OrtTestSession s = new OrtTestSession(dir.resolve(Phi4TestModels.TEXT_FILE))) {
            assertThat(describe(s.inputs()))
                    .containsExactly(
                            "inputs_embeds " + f + " [batch_size, sequence_length, 32]",
                            "attention_mask int64 [batch_size, total_sequence_length]",
                            "past_key_values.0.key " + f + " [batch_size, 2, past_sequence_length, 32]",
                            "past_key_values.0.value " + f + " [batch_size, 2, past_sequence_length, 32]",
                            "past_key_values.1.key " + f + " [batch_size, 2, past_sequence_length, 32]",
                            "past_key_values.1.value " + f + " [batch_size, 2, past_sequence_length, 32]");
            assertThat(describe(s.outputs()))
                    .containsExactly(
                            "logits " + f + " [batch_size, sequence_length, " + V + "]",
                            "present.0.key " + f + " [batch_size, 2, total_sequence_length, 32]",
                            "present.0.value " + f + " [batch_size, 2, total_sequence_length, 32]",
                            "present.1.key " + f + " [batch_size, 2, total_sequence_length, 32]",
                            "present.1.value " + f + " [batch_size, 2, total_sequence_length, 32]");
            // 2 layers × 7 targets × (A, B) LoRA inputs, exposed by ORT as overridable initializers.
            assertThat(s.overridableInitializerCount()).isEqualTo(28);
        }
        try (OrtTestSession s = new OrtTestSession(dir.resolve(Phi4TestModels.EMBEDDING_FILE))) {
            assertThat(describe(s.inputs()))
                    .containsExactly(
                            "input_ids int64 [batch_size, sequence_length]",
                            "image_features " + f + " [num_image_tokens, 32]",
                            "audio_features " + f + " [num_audio_tokens, 32]");
            assertThat(describe(s.outputs()))
                    .containsExactly("inputs_embeds " + f + " [batch_size, sequence_length, 32]");
        }
        try (OrtTestSession s = new OrtTestSession(dir.resolve(Phi4TestModels.VISION_FILE))) {
            assertThat(describe(s.inputs()))
                    .containsExactly(
                            "pixel_values " + f + " [num_images, max_num_crops, 3, 448, 448]",
                            "image_attention_mask " + f + " [num_images, max_num_crops, 32, 32]",
                            "image_sizes int64 [num_images, 2]");
            assertThat(describe(s.outputs())).containsExactly("image_features " + f + " [num_image_tokens, 32]");
        }
        try (OrtTestSession s = new OrtTestSession(dir.resolve(Phi4TestModels.SPEECH_FILE))) {
            assertThat(describe(s.inputs()))
                    .containsExactly(
                            "audio_embeds " + f + " [num_audios, num_frames, 80]",
                            "audio_attention_mask bool [num_audios, num_frames]",
                            "audio_sizes int64 [num_audios]",
                            "audio_projection_mode int64 [1]");
            assertThat(describe(s.outputs())).containsExactly("audio_features " + f + " [num_audio_tokens, 32]");
        }
    }
}
