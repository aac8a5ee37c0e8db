package dev.phi4ee.camel;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.testkit.Phi4TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One real engine for every test class of this JVM, as in production (one model instance per JVM), on the test
 * kit's Phi-4-shaped model (random weights: the text is meaningless, the shapes, ids and paths are real).
 */
final class TestEngines {

    private static Phi4Engine shared;
    private static Path modelDirectory;

    private TestEngines() {}

    /** CPU, and a 2048-token window (an image costs hundreds of tokens): the KV cache is allocated for it, and tests need no more. */
    static synchronized Phi4Engine shared() {
        if (shared == null) {
            shared = Phi4Engine.open(
                    modelDirectory(),
                    EngineOptions.builder()
                            .executionProvider("cpu")
                            .maxLength(2048)
                            .build());
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    static synchronized Path modelDirectory() {
        if (modelDirectory == null) {
            try {
                modelDirectory = Phi4TestModels.writeDefault(Files.createTempDirectory("phi4-camel-model"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return modelDirectory;
    }
}
