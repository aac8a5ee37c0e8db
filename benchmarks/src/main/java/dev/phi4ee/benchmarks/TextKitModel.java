package dev.phi4ee.benchmarks;

import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * The kit model of the paired engine-vs-raw probes: fp32, a 512-position window, text graphs only, written to a
 * temporary folder that {@link #close} deletes.
 */
final class TextKitModel implements AutoCloseable {
    private final Path dir;
    private final ModelDirectory model;

    TextKitModel(String prefix) throws IOException {
        dir = Files.createTempDirectory(prefix);
        Phi4TestModels.write(
                dir,
                TestModelSpec.builder()
                        .maxLength(512)
                        .includeVision(false)
                        .includeSpeech(false)
                        .build());
        model = ModelDirectory.open(dir);
    }

    ModelDirectory model() {
        return model;
    }

    @Override
    public void close() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
