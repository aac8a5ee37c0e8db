package dev.phi4ee.core.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The fields of Hugging Face's {@code config.json} the runtime needs. Only {@code original_max_position_embeddings}
 * matters: the text graph switches from short to long RoPE factors once the attention mask is longer than it
 * (reference §4.4, §10.1).
 *
 * @param originalMaxPositionEmbeddings 4096 for Phi-4-mini, the default when no config.json is found
 * @param source the file read, if any
 */
public record HfModelConfig(int originalMaxPositionEmbeddings, Optional<Path> source) {
    public static final int DEFAULT_ORIGINAL_MAX_POSITION_EMBEDDINGS = 4096;

    /**
     * Looks for config.json in the model directory, then in its parent and grandparent (the release keeps it at the
     * repository top, two levels above {@code gpu/gpu-int4-rtn-block-32/}).
     */
    public static HfModelConfig find(Path modelDirectory) {
        Path dir = modelDirectory.toAbsolutePath();
        for (int up = 0; up < 3 && dir != null; up++, dir = dir.getParent()) {
            Path f = dir.resolve("config.json");
            if (Files.isRegularFile(f)) {
                JsonFields json = JsonFields.read(f);
                int v = json.has("original_max_position_embeddings")
                        ? json.positive("original_max_position_embeddings")
                        : DEFAULT_ORIGINAL_MAX_POSITION_EMBEDDINGS;
                return new HfModelConfig(v, Optional.of(f));
            }
        }
        return new HfModelConfig(DEFAULT_ORIGINAL_MAX_POSITION_EMBEDDINGS, Optional.empty());
    }
}
