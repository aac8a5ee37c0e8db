package dev.phi4ee.core.generate;

import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.SessionSettings;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Test-kit model directories written once per JVM (writing one takes ~1 s) and opened with one intra-op thread. */
final class KitModels {
    private static final Map<TestModelSpec, Path> WRITTEN = new ConcurrentHashMap<>();

    private KitModels() {}

    static TestModelSpec.Builder spec() {
        return TestModelSpec.builder().maxLength(256).includeVision(false).includeSpeech(false);
    }

    static Path dir(TestModelSpec spec) {
        return WRITTEN.computeIfAbsent(spec, s -> {
            try {
                Path d = Files.createTempDirectory("phi4-kit-");
                d.toFile().deleteOnExit();
                return Phi4TestModels.write(d, s);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static Phi4Graphs open(TestModelSpec spec) {
        return Phi4Graphs.open(ModelDirectory.open(dir(spec)), SessionSettings.cpu(1));
    }
}
