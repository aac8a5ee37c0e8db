package dev.phi4ee.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirectoryTest {
    /** The release's genai_config.json as reproduced in reference §2.2. */
    static final String RELEASE_CONFIG = """
            { "model": {
                "bos_token_id": 199999, "context_length": 131072,
                "decoder": {
                  "session_options": { "log_id": "onnxruntime-genai", "provider_options": [ { "cuda": { "enable_cuda_graph": "0" } } ] },
                  "filename": "phi-4-mm-text.onnx", "head_size": 128, "hidden_size": 3072, "num_attention_heads": 24,
                  "num_hidden_layers": 32, "num_key_value_heads": 8,
                  "inputs":  { "inputs_embeds": "inputs_embeds", "attention_mask": "attention_mask",
                               "past_key_names": "past_key_values.%d.key", "past_value_names": "past_key_values.%d.value" },
                  "outputs": { "logits": "logits", "present_key_names": "present.%d.key", "present_value_names": "present.%d.value" } },
                "vision": { "filename": "phi-4-mm-vision.onnx", "config_filename": "vision_processor.json",
                  "adapter_filename": "phi-4-mm-vision.onnx_adapter",
                  "inputs": { "pixel_values": "pixel_values", "attention_mask": "image_attention_mask", "image_sizes": "image_sizes" },
                  "outputs": { "image_features": "image_features" } },
                "speech": { "filename": "phi-4-mm-speech.onnx", "config_filename": "speech_processor.json",
                  "adapter_filename": "phi-4-mm-speech.onnx_adapter",
                  "inputs": { "audio_embeds": "audio_embeds", "attention_mask": "audio_attention_mask",
                              "audio_sizes": "audio_sizes", "audio_projection_mode": "audio_projection_mode" },
                  "outputs": { "audio_features": "audio_features" } },
                "embedding": { "filename": "phi-4-mm-embedding.onnx",
                  "inputs": { "input_ids": "input_ids", "image_features": "image_features", "audio_features": "audio_features" },
                  "outputs": { "inputs_embeds": "inputs_embeds" } },
                "eos_token_id": [200020, 199999], "pad_token_id": 199999, "type": "phi4mm", "vocab_size": 200064 },
              "search": { "diversity_penalty": 0.0, "do_sample": false, "early_stopping": true, "length_penalty": 1.0,
                "max_length": 131072, "min_length": 0, "no_repeat_ngram_size": 0, "num_beams": 1, "num_return_sequences": 1,
                "past_present_share_buffer": true, "repetition_penalty": 1.0, "temperature": 1.0, "top_k": 1, "top_p": 1.0 } }
            """;

    @TempDir
    Path dir;

    private void writeReleaseLayout(String config) throws IOException {
        writeReleaseLayout(dir, config);
    }

    private static void writeReleaseLayout(Path dir, String config) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("genai_config.json"), config);
        for (String f : new String[] {
            "phi-4-mm-text.onnx",
            "phi-4-mm-embedding.onnx",
            "phi-4-mm-vision.onnx",
            "phi-4-mm-speech.onnx",
            "vision_processor.json",
            "speech_processor.json",
            "tokenizer.json",
            "phi-4-mm-vision.onnx_adapter"
        }) {
            Files.writeString(dir.resolve(f), "{}");
        }
    }

    @Test
    void readsEveryFieldOfTheReleaseConfig() throws IOException {
        writeReleaseLayout(RELEASE_CONFIG);
        ModelDirectory md = ModelDirectory.open(dir);
        GenaiConfig c = md.config();
        assertThat(c.eosTokenIds()).containsExactly(200020, 199999);
        assertThat(c.bosTokenId()).isEqualTo(199999);
        assertThat(c.vocabSize()).isEqualTo(200064);
        assertThat(c.decoder().numKeyValueHeads()).isEqualTo(8);
        assertThat(c.decoder().pastKeyName(31)).isEqualTo("past_key_values.31.key");
        assertThat(c.decoder().presentValueName(0)).isEqualTo("present.0.value");
        assertThat(c.decoder().providerOptions("cuda")).containsExactly(Map.entry("enable_cuda_graph", "0"));
        assertThat(c.decoder().providerOptions("dml")).isEmpty();
        assertThat(c.search().maxLength()).isEqualTo(131072);
        assertThat(c.search().pastPresentShareBuffer()).isTrue();
        assertThat(c.search().topK()).isEqualTo(1);
        assertThat(c.vision().orElseThrow().attentionMask()).isEqualTo("image_attention_mask");
        assertThat(c.speech().orElseThrow().audioProjectionMode()).isEqualTo("audio_projection_mode");
        assertThat(md.visionAdapter()).contains(dir.resolve("phi-4-mm-vision.onnx_adapter"));
        assertThat(md.speechAdapter()).isEmpty(); // named but absent: optional
        assertThat(md.hfConfig().originalMaxPositionEmbeddings()).isEqualTo(4096);
    }

    @Test
    void readsOriginalMaxPositionEmbeddingsFromConfigJson() throws IOException {
        writeReleaseLayout(RELEASE_CONFIG);
        Files.writeString(dir.resolve("config.json"), "{\"original_max_position_embeddings\": 48}");
        assertThat(ModelDirectory.open(dir).hfConfig().originalMaxPositionEmbeddings())
                .isEqualTo(48);
    }

    @Test
    void configJsonAboveTheModelFolderIsIgnored() throws IOException {
        // The release keeps an HF config.json at the repository top, none in gpu/gpu-int4-rtn-block-32 (§2.1).
        Path model = dir.resolve("gpu/gpu-int4-rtn-block-32");
        writeReleaseLayout(model, RELEASE_CONFIG);
        Files.writeString(dir.resolve("config.json"), "{\"original_max_position_embeddings\": 48}");
        Files.writeString(dir.resolve("gpu/config.json"), "{\"original_max_position_embeddings\": 64}");

        HfModelConfig hf = ModelDirectory.open(model).hfConfig();

        assertThat(hf.originalMaxPositionEmbeddings())
                .isEqualTo(HfModelConfig.DEFAULT_ORIGINAL_MAX_POSITION_EMBEDDINGS);
        assertThat(hf.source()).isEmpty();
        Files.writeString(model.resolve("config.json"), "{\"original_max_position_embeddings\": 32}");
        hf = ModelDirectory.open(model).hfConfig();
        assertThat(hf.originalMaxPositionEmbeddings()).isEqualTo(32);
        assertThat(hf.source()).contains(model.resolve("config.json"));
    }

    @Test
    void missingFileIsNamed() throws IOException {
        writeReleaseLayout(RELEASE_CONFIG);
        Files.delete(dir.resolve("phi-4-mm-embedding.onnx"));
        assertThatThrownBy(() -> ModelDirectory.open(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("phi-4-mm-embedding.onnx: file missing")
                .hasMessageContaining("model.embedding.filename");
        Files.delete(dir.resolve("genai_config.json"));
        assertThatThrownBy(() -> ModelDirectory.open(dir)).hasMessageContaining("genai_config.json: file missing");
    }

    @Test
    void malformedAndWrongFieldsAreNamed() throws IOException {
        writeReleaseLayout("{ \"model\": { ");
        assertThatThrownBy(() -> ModelDirectory.open(dir)).hasMessageContaining("genai_config.json: malformed JSON");
        writeReleaseLayout(RELEASE_CONFIG.replace("\"num_key_value_heads\": 8", "\"num_key_value_heads\": \"8\""));
        assertThatThrownBy(() -> ModelDirectory.open(dir))
                .hasMessage("genai_config.json: model.decoder.num_key_value_heads: expected an integer, found \"8\"");
        writeReleaseLayout(RELEASE_CONFIG.replace("past_key_values.%d.key", "past_key_values.key"));
        assertThatThrownBy(() -> ModelDirectory.open(dir))
                .hasMessageContaining(
                        "model.decoder.inputs.past_key_names: expected a name pattern with exactly one %d");
        writeReleaseLayout(RELEASE_CONFIG.replace("{ \"cuda\": { \"enable_cuda_graph\": \"0\" } }", "\"cuda\""));
        assertThatThrownBy(() -> ModelDirectory.open(dir))
                .hasMessageContaining(
                        "model.decoder.session_options.provider_options: expected an array of {provider:");
        writeReleaseLayout(RELEASE_CONFIG.replace("\"type\": \"phi4mm\"", "\"type\": \"phi3\""));
        assertThatThrownBy(() -> ModelDirectory.open(dir))
                .hasMessage("genai_config.json: model.type: expected \"phi4mm\", found \"phi3\"");
    }
}
