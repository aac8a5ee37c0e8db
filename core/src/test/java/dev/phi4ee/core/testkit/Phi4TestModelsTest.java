package dev.phi4ee.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.phi4ee.core.model.HfModelConfig;
import dev.phi4ee.core.model.ModelDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The factory writes the release's directory layout and configs (reference §2), deterministically. */
class Phi4TestModelsTest {
    @TempDir
    Path tmp;

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writesTheReleaseLayout() throws IOException {
        Path dir = Phi4TestModels.writeDefault(tmp.resolve("model"));
        assertThat(dir.resolve("genai_config.json")).exists();
        assertThat(dir.resolve("config.json")).exists();
        assertThat(dir.resolve("phi-4-mm-text.onnx")).exists();
        assertThat(dir.resolve("phi-4-mm-text.onnx.data")).exists(); // lm_head ≥ 1 MiB goes to external data
        assertThat(dir.resolve("phi-4-mm-embedding.onnx")).exists();
        assertThat(dir.resolve("phi-4-mm-vision.onnx")).exists();
        assertThat(dir.resolve("phi-4-mm-speech.onnx")).exists();
        assertThat(dir.resolve("vision_processor.json")).exists();
        assertThat(dir.resolve("speech_processor.json")).exists();
        assertThat(dir.resolve("tokenizer.json")).exists();
        assertThat(dir.resolve("tokenizer_config.json")).exists();
        assertThat(dir.resolve("phi-4-mm-vision.onnx_adapter")).exists();
        assertThat(dir.resolve("phi-4-mm-speech.onnx_adapter")).exists();

        JsonNode genai = JSON.readTree(dir.resolve("genai_config.json").toFile());
        JsonNode model = genai.get("model");
        assertThat(model.get("type").asText()).isEqualTo("phi4mm");
        assertThat(model.get("vocab_size").asInt()).isEqualTo(200_064);
        assertThat(model.get("bos_token_id").asInt()).isEqualTo(199_999);
        assertThat(model.get("pad_token_id").asInt()).isEqualTo(199_999);
        assertThat(model.get("eos_token_id").toString()).isEqualTo("[200020,199999]");
        assertThat(model.get("context_length").asInt()).isEqualTo(4096);
        JsonNode decoder = model.get("decoder");
        assertThat(decoder.get("filename").asText()).isEqualTo("phi-4-mm-text.onnx");
        assertThat(decoder.get("head_size").asInt()).isEqualTo(32);
        assertThat(decoder.get("num_key_value_heads").asInt()).isEqualTo(2);
        assertThat(decoder.get("inputs").get("past_key_names").asText()).isEqualTo("past_key_values.%d.key");
        assertThat(decoder.get("outputs").get("present_value_names").asText()).isEqualTo("present.%d.value");
        assertThat(model.get("vision").get("inputs").get("attention_mask").asText())
                .isEqualTo("image_attention_mask");
        assertThat(model.get("speech").get("config_filename").asText()).isEqualTo("speech_processor.json");
        assertThat(model.get("vision").get("adapter_filename").asText()).isEqualTo("phi-4-mm-vision.onnx_adapter");
        assertThat(model.get("speech").get("adapter_filename").asText()).isEqualTo("phi-4-mm-speech.onnx_adapter");
        assertThat(model.get("embedding").get("outputs").get("inputs_embeds").asText())
                .isEqualTo("inputs_embeds");
        assertThat(genai.get("search").get("max_length").asInt()).isEqualTo(4096);
        assertThat(genai.get("search").get("past_present_share_buffer").asBoolean())
                .isTrue();

        JsonNode hf = JSON.readTree(dir.resolve("config.json").toFile());
        assertThat(hf.get("original_max_position_embeddings").asInt()).isEqualTo(64);
        assertThat(hf.get("image_token_id").asInt()).isEqualTo(200_010);
        assertThat(hf.get("audio_token_id").asInt()).isEqualTo(200_011);

        JsonNode vision = JSON.readTree(dir.resolve("vision_processor.json").toFile());
        JsonNode dynamic = vision.get("processor")
                .get("transforms")
                .get(1)
                .get("operation")
                .get("attrs");
        assertThat(dynamic.get("dynamic_hd").asInt()).isEqualTo(36);
        assertThat(dynamic.get("dyhd_base_resolution").asInt()).isEqualTo(448);
        JsonNode speech = JSON.readTree(dir.resolve("speech_processor.json").toFile());
        JsonNode embed = speech.get("feature_extraction")
                .get("sequence")
                .get(1)
                .get("operation")
                .get("attrs");
        assertThat(embed.get("audio_compression_rate").asInt()).isEqualTo(8);
        assertThat(embed.get("logmel/n_mel").asInt()).isEqualTo(80);
    }

    @Test
    void sameSpecGivesSameFilesAndOptionalEncodersCanBeLeftOut() throws IOException {
        TestModelSpec spec = TestModelSpec.builder()
                .includeVision(false)
                .includeSpeech(false)
                .build();
        Path a = Phi4TestModels.write(tmp.resolve("a"), spec);
        Path b = Phi4TestModels.write(tmp.resolve("b"), spec);
        for (String file : new String[] {"phi-4-mm-text.onnx", "phi-4-mm-text.onnx.data", "phi-4-mm-embedding.onnx"}) {
            assertThat(Files.mismatch(a.resolve(file), b.resolve(file)))
                    .as(file)
                    .isEqualTo(-1);
        }
        assertThat(a.resolve("phi-4-mm-vision.onnx")).doesNotExist();
        assertThat(a.resolve("speech_processor.json")).doesNotExist();
        JsonNode model = JSON.readTree(a.resolve("genai_config.json").toFile()).get("model");
        assertThat(model.has("vision")).isFalse();
        assertThat(model.has("speech")).isFalse();

        Path other =
                Phi4TestModels.write(tmp.resolve("c"), spec.toBuilder().seed(7).build());
        assertThat(Files.mismatch(a.resolve("phi-4-mm-text.onnx.data"), other.resolve("phi-4-mm-text.onnx.data")))
                .isNotEqualTo(-1);
    }

    @Test
    void folderWithoutConfigJsonLikeTheReleaseUsesPhi4MinisThreshold() {
        TestModelSpec spec = TestModelSpec.builder()
                .includeVision(false)
                .includeSpeech(false)
                .originalMaxPositionEmbeddings(HfModelConfig.DEFAULT_ORIGINAL_MAX_POSITION_EMBEDDINGS)
                .contextLength(8192)
                .maxLength(8192)
                .writeHfConfig(false)
                .build();
        Path dir = Phi4TestModels.write(tmp.resolve("release-form"), spec);
        assertThat(dir.resolve(Phi4TestModels.HF_CONFIG_FILE)).doesNotExist();
        assertThat(dir.resolve(Phi4TestModels.GENAI_CONFIG_FILE)).exists();
        HfModelConfig hf = ModelDirectory.open(dir).hfConfig();
        assertThat(hf.source()).isEmpty();
        assertThat(hf.originalMaxPositionEmbeddings()).isEqualTo(spec.originalMaxPositionEmbeddings());
    }
}
