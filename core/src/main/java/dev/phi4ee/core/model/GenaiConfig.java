package dev.phi4ee.core.model;

import dev.phi4ee.core.api.ModelFormatException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The onnxruntime-genai {@code genai_config.json} of a Phi-4-multimodal model directory (reference §2.2). */
public record GenaiConfig(
        String modelType,
        int bosTokenId,
        List<Integer> eosTokenIds,
        int padTokenId,
        int vocabSize,
        int contextLength,
        DecoderConfig decoder,
        EmbeddingConfig embedding,
        Optional<VisionConfig> vision,
        Optional<SpeechConfig> speech,
        SearchConfig search) {

    public static final String FILE_NAME = "genai_config.json";
    public static final String MODEL_TYPE = "phi4mm";

    public static GenaiConfig read(Path file) {
        JsonFields root = JsonFields.read(file);
        JsonFields model = root.object("model");
        String type = model.string("type");
        if (!type.equals(MODEL_TYPE)) {
            throw new ModelFormatException(
                    file.getFileName() + ": model.type: expected \"" + MODEL_TYPE + "\", found \"" + type + "\"");
        }
        int contextLength = model.positive("context_length");
        Optional<JsonFields> speech = model.optionalObject("speech");
        if (speech.isPresent() && speech.get().has("filename") != speech.get().has("config_filename")) {
            throw new ModelFormatException(file.getFileName()
                    + ": model.speech: expected both filename and config_filename (onnxruntime-genai rule), found one");
        }
        JsonFields search = root.optionalObject("search").orElse(null);
        return new GenaiConfig(
                type,
                model.integer("bos_token_id"),
                model.integers("eos_token_id"),
                model.integer("pad_token_id"),
                model.positive("vocab_size"),
                contextLength,
                DecoderConfig.read(model.object("decoder")),
                EmbeddingConfig.read(model.object("embedding")),
                model.optionalObject("vision").map(VisionConfig::read),
                speech.map(SpeechConfig::read),
                search == null
                        ? new SearchConfig(contextLength, false, false, 1.0, 50, 1.0, 1.0, 0)
                        : SearchConfig.read(
                                search, contextLength, file.getFileName().toString()));
    }
}
