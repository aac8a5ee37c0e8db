package dev.phi4ee.core.model;

import dev.phi4ee.core.api.ModelFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model directory in the official {@code Phi-4-multimodal-instruct-onnx} layout (reference §2.1), with every file
 * the engine needs resolved and checked to exist. Opening reads configuration only; graph signatures are checked
 * against {@link GraphContract} once sessions exist.
 */
public final class ModelDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(ModelDirectory.class);
    public static final String TOKENIZER_FILE = "tokenizer.json";

    private final Path root;
    private final GenaiConfig config;
    private final HfModelConfig hfConfig;
    private final Optional<Path> visionAdapter;
    private final Optional<Path> speechAdapter;

    private ModelDirectory(Path root, GenaiConfig config, HfModelConfig hfConfig) {
        this.root = root;
        this.config = config;
        this.hfConfig = hfConfig;
        this.visionAdapter =
                config.vision().flatMap(VisionConfig::adapterFilename).flatMap(this::optionalFile);
        this.speechAdapter =
                config.speech().flatMap(SpeechConfig::adapterFilename).flatMap(this::optionalFile);
    }

    /**
     * Reads {@code genai_config.json} and checks that every file it names exists.
     *
     * @throws ModelFormatException naming the missing or malformed file and field
     */
    public static ModelDirectory open(Path root) {
        if (!Files.isDirectory(root)) {
            throw new ModelFormatException("model directory " + root + " does not exist or is not a directory");
        }
        GenaiConfig config = GenaiConfig.read(root.resolve(GenaiConfig.FILE_NAME));
        ModelDirectory dir = new ModelDirectory(root, config, HfModelConfig.read(root));
        dir.requireFile(config.decoder().filename(), "model.decoder.filename");
        dir.requireFile(config.embedding().filename(), "model.embedding.filename");
        config.vision().ifPresent(v -> {
            dir.requireFile(v.filename(), "model.vision.filename");
            dir.requireFile(v.configFilename(), "model.vision.config_filename");
        });
        config.speech().ifPresent(s -> {
            dir.requireFile(s.filename(), "model.speech.filename");
            dir.requireFile(s.configFilename(), "model.speech.config_filename");
        });
        dir.requireFile(TOKENIZER_FILE, "the tokenizer");
        return dir;
    }

    private void requireFile(String name, String what) {
        Path f = root.resolve(name);
        if (!Files.isRegularFile(f)) {
            throw new ModelFormatException(
                    name + ": file missing in " + root + " (named by " + what + " of " + GenaiConfig.FILE_NAME + ")");
        }
    }

    private Optional<Path> optionalFile(String name) {
        Path f = root.resolve(name);
        if (Files.isRegularFile(f)) {
            return Optional.of(f);
        }
        LOG.warn("LoRA adapter {} named in {} is missing; requests will run without it", name, GenaiConfig.FILE_NAME);
        return Optional.empty();
    }

    public Path root() {
        return root;
    }

    /**
     * The real folder that links in this directory may resolve into: the Hugging Face cache repository
     * ({@code models--<org>--<name>}, holding {@code blobs/}) when the directory lies in one of its
     * {@code snapshots/<revision>}, else the directory's own real path. See
     * docs/decisions/model-hf-cache-folders.md.
     *
     * @throws ModelFormatException when the directory's real path cannot be read
     */
    public Path linkRoot() {
        Path absolute = root.toAbsolutePath().normalize();
        try {
            for (Path p = absolute.getParent(); p != null && p.getParent() != null; p = p.getParent()) {
                Path repo = p.getParent();
                if (p.getFileName().toString().equals("snapshots") && Files.isDirectory(repo.resolve("blobs"))) {
                    return repo.toRealPath();
                }
            }
            return absolute.toRealPath();
        } catch (java.io.IOException e) {
            throw new ModelFormatException("model directory " + root + ": cannot resolve its real path: " + e, e);
        }
    }

    public GenaiConfig config() {
        return config;
    }

    public HfModelConfig hfConfig() {
        return hfConfig;
    }

    public Path decoderFile() {
        return root.resolve(config.decoder().filename());
    }

    public Path embeddingFile() {
        return root.resolve(config.embedding().filename());
    }

    public Optional<Path> visionFile() {
        return config.vision().map(v -> root.resolve(v.filename()));
    }

    public Optional<Path> speechFile() {
        return config.speech().map(s -> root.resolve(s.filename()));
    }

    public Optional<Path> visionProcessorConfig() {
        return config.vision().map(v -> root.resolve(v.configFilename()));
    }

    public Optional<Path> speechProcessorConfig() {
        return config.speech().map(s -> root.resolve(s.configFilename()));
    }

    public Path tokenizerFile() {
        return root.resolve(TOKENIZER_FILE);
    }

    public Optional<Path> visionAdapter() {
        return visionAdapter;
    }

    public Optional<Path> speechAdapter() {
        return speechAdapter;
    }
}
