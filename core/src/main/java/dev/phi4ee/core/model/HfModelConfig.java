package dev.phi4ee.core.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fields of Hugging Face's {@code config.json} the runtime needs. Only {@code original_max_position_embeddings}
 * matters: the text graph switches from short to long RoPE factors once the attention mask is longer than it, which
 * is where the engine re-prefills (reference §4.4, §10.1).
 *
 * @param originalMaxPositionEmbeddings 4096 for Phi-4-mini, the default when the model folder has no config.json
 * @param source the file read, if any
 */
public record HfModelConfig(int originalMaxPositionEmbeddings, Optional<Path> source) {
    private static final Logger LOG = LoggerFactory.getLogger(HfModelConfig.class);
    public static final String FILE_NAME = "config.json";
    public static final int DEFAULT_ORIGINAL_MAX_POSITION_EMBEDDINGS = 4096;

    /**
     * Reads {@code config.json} of the model folder itself, or returns Phi-4-mini's value when there is none (the
     * release's {@code gpu/gpu-int4-rtn-block-32/} folder has none, §2.1). A config.json further up is never read:
     * it may belong to another model and would silently move the re-prefill point
     * (docs/decisions/model-config-json-scope.md). Logs which source was used.
     */
    public static HfModelConfig read(Path modelDirectory) {
        Path f = modelDirectory.resolve(FILE_NAME);
        if (!Files.isRegularFile(f)) {
            LOG.info(
                    "no {} in {}: original_max_position_embeddings {} (Phi-4-mini)",
                    FILE_NAME,
                    modelDirectory,
                    DEFAULT_ORIGINAL_MAX_POSITION_EMBEDDINGS);
            return new HfModelConfig(DEFAULT_ORIGINAL_MAX_POSITION_EMBEDDINGS, Optional.empty());
        }
        JsonFields json = JsonFields.read(f);
        int v = json.has("original_max_position_embeddings")
                ? json.positive("original_max_position_embeddings")
                : DEFAULT_ORIGINAL_MAX_POSITION_EMBEDDINGS;
        LOG.info("original_max_position_embeddings {} from {}", v, f);
        return new HfModelConfig(v, Optional.of(f));
    }
}
