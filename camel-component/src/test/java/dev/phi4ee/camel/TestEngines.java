package dev.phi4ee.camel;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.testkit.Phi4TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * One real engine for every test class of this JVM, as in production (one model instance per JVM), on the test
 * kit's Phi-4-shaped model (random weights: the text is meaningless, the shapes, ids and paths are real).
 */
final class TestEngines {

    private static Phi4Engine shared;
    private static Path modelDirectory;
    private static Boolean mediaServed;

    private TestEngines() {}

    /** CPU, and a 512-token window: the KV cache is allocated for it, and tests need no more. */
    static synchronized Phi4Engine shared() {
        if (shared == null) {
            shared = Phi4Engine.open(
                    modelDirectory(),
                    EngineOptions.builder()
                            .executionProvider("cpu")
                            .maxLength(512)
                            .build());
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    /**
     * Skips the calling test while the engine build still refuses image and audio parts (the media stages land
     * separately); once it serves them, the test runs. Probed once with a tiny PNG.
     */
    static void assumeMediaServed() {
        Assumptions.assumeTrue(mediaServed(), "this engine build does not serve image/audio parts yet");
    }

    private static synchronized boolean mediaServed() {
        if (mediaServed == null) {
            GenerationRequest probe = GenerationRequest.builder()
                    .image(Media.of(TestMedia.png(32, 32)))
                    .user("probe")
                    .options(GenerationOptions.builder().maxNewTokens(1).build())
                    .build();
            try {
                shared().generate(probe);
                mediaServed = true;
            } catch (InvalidInputException e) {
                mediaServed = !e.getMessage().contains("not supported by this engine build");
            }
        }
        return mediaServed;
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
