package dev.phi4ee.core.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a complete Phi-4-shaped model directory in the release's layout (reference §2–3): genai_config.json,
 * config.json, the four graphs (tiny sizes, real vocabulary and token ids, seeded weights), vision_processor.json,
 * speech_processor.json and the tokenizer files. Deterministic: the same spec gives the same files.
 *
 * <pre>{@code
 * Path dir = Phi4TestModels.writeDefault(tempDir.resolve("model"));
 * Path fp16 = Phi4TestModels.write(tempDir.resolve("fp16"),
 *         TestModelSpec.builder().floatType(TestModelSpec.FloatType.FP16).build());
 * }</pre>
 */
public final class Phi4TestModels {
    public static final String TEXT_FILE = TextGraph.FILENAME;
    public static final String EMBEDDING_FILE = EmbeddingGraph.FILENAME;
    public static final String VISION_FILE = VisionGraph.FILENAME;
    public static final String SPEECH_FILE = SpeechGraph.FILENAME;
    public static final String GENAI_CONFIG_FILE = "genai_config.json";
    public static final String HF_CONFIG_FILE = "config.json";
    public static final String VISION_PROCESSOR_FILE = ModelConfigFiles.VISION_PROCESSOR;
    public static final String SPEECH_PROCESSOR_FILE = ModelConfigFiles.SPEECH_PROCESSOR;
    private static final String PRODUCER = "phi4ee-testkit";

    private Phi4TestModels() {}

    /** Writes the default model ({@link TestModelSpec#defaults()}) into {@code dir} (created if absent). */
    public static Path writeDefault(Path dir) {
        return write(dir, TestModelSpec.defaults());
    }

    /** Writes the model described by {@code spec} into {@code dir} (created if absent) and returns {@code dir}. */
    public static Path write(Path dir, TestModelSpec spec) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        SeededWeights weights = new SeededWeights(spec.seed());
        long external = spec.externalDataThresholdBytes();
        TextGraph.build(spec, weights).write(dir.resolve(TEXT_FILE), PRODUCER, external);
        EmbeddingGraph.build(spec, weights).write(dir.resolve(EMBEDDING_FILE), PRODUCER, external);
        if (spec.includeVision()) {
            VisionGraph.build(spec, weights).write(dir.resolve(VISION_FILE), PRODUCER, external);
        }
        if (spec.includeSpeech()) {
            SpeechGraph.build(spec, weights).write(dir.resolve(SPEECH_FILE), PRODUCER, external);
        }
        if (spec.writeAdapters()) {
            LoraAdapters.write(dir, spec);
        }
        ModelConfigFiles.write(dir, spec);
        Phi4TokenizerFiles.write(dir);
        return dir;
    }

    /** Name of a LoRA input of the text graph, e.g. {@code model.layers.0.attn.q_proj.lora_A.MatMul.weight}. */
    public static String loraInputName(int layer, String target, char aOrB) {
        return TextGraph.loraName(layer, target, aOrB);
    }
}
