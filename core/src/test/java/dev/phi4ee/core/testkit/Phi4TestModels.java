package dev.phi4ee.core.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;

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

    private static final Map<TestModelSpec, Path> SHARED = new ConcurrentHashMap<>();

    private Phi4TestModels() {}

    /**
     * A directory for {@code spec} written once per JVM into a temporary directory that is deleted at exit; callers
     * must not modify it. Saves the ~1 s write (and the session warm-up) in test classes that only read models.
     */
    public static Path shared(TestModelSpec spec) {
        return SHARED.computeIfAbsent(spec, s -> {
            try {
                Path dir = Files.createTempDirectory("phi4-testkit-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(dir)));
                return write(dir, s);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary model directory", e);
            }
        });
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort at JVM exit
        }
    }

    /** Writes the default model ({@link TestModelSpec#defaults()}) into {@code dir} (created if absent). */
    public static Path writeDefault(Path dir) {
        return write(dir, TestModelSpec.defaults());
    }

    /**
     * Writes the model described by {@code spec} into {@code dir} and returns {@code dir}. The files are written into
     * a hidden staging folder next to {@code dir} first and moved in only when all of them were written, so a failure
     * leaves nothing behind: when {@code dir} does not exist yet it appears complete or not at all (one rename); an
     * existing folder receives the files only after all were written.
     */
    public static Path write(Path dir, TestModelSpec spec) {
        return write(dir, spec, staging -> {});
    }

    /** {@link #write(Path, TestModelSpec)} with one more task writing into the staging folder (failure tests). */
    static Path write(Path dir, TestModelSpec spec, Consumer<Path> extraTask) {
        Phi4TokenizerFiles.requireRanks(); // before anything is written
        Path target = dir.toAbsolutePath().normalize();
        Path staging;
        try {
            Files.createDirectories(target.getParent());
            staging = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".partial-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a staging folder next to " + dir, e);
        }
        try {
            writeInto(staging, spec, extraTask);
            publish(staging, target);
        } catch (RuntimeException | Error e) {
            deleteRecursively(staging);
            throw e;
        }
        return dir;
    }

    /** Renames {@code staging} to {@code target}, or moves its entries into {@code target} where that exists. */
    private static void publish(Path staging, Path target) {
        try {
            if (!Files.exists(target)) {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                return;
            }
            moveEntries(staging, target);
            Files.delete(staging);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the written model into " + target, e);
        }
    }

    private static void moveEntries(Path from, Path into) throws IOException {
        Files.createDirectories(into);
        try (Stream<Path> entries = Files.list(from)) {
            for (Path entry : entries.toList()) {
                Path dest = into.resolve(entry.getFileName().toString());
                if (Files.isDirectory(entry) && Files.isDirectory(dest)) {
                    moveEntries(entry, dest);
                    Files.delete(entry);
                } else {
                    Files.move(entry, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        }
    }

    private static void writeInto(Path dir, TestModelSpec spec, Consumer<Path> extraTask) {
        SeededWeights weights = new SeededWeights(spec.seed());
        long external = spec.externalDataThresholdBytes();
        // The files are independent; the two big graphs and the tokenizer dominate, so they run concurrently.
        List<Runnable> tasks = new ArrayList<>();
        tasks.add(() -> TextGraph.build(spec, weights).write(dir.resolve(TEXT_FILE), PRODUCER, external));
        tasks.add(() -> EmbeddingGraph.build(spec, weights).write(dir.resolve(EMBEDDING_FILE), PRODUCER, external));
        tasks.add(() -> Phi4TokenizerFiles.write(dir));
        tasks.add(() -> {
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
        });
        tasks.add(() -> extraTask.accept(dir));
        runAll(tasks);
    }

    private static void runAll(List<Runnable> tasks) {
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Runnable task : tasks) {
                futures.add(pool.submit(task));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing a test model", e);
        }
    }

    /** Name of a LoRA input of the text graph, e.g. {@code model.layers.0.attn.q_proj.lora_A.MatMul.weight}. */
    public static String loraInputName(int layer, String target, char aOrB) {
        return TextGraph.loraName(layer, target, aOrB);
    }
}
