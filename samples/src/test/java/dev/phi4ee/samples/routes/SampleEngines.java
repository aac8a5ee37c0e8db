package dev.phi4ee.samples.routes;

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
import org.junit.jupiter.api.Assumptions;

/** The real engine on the demo model (the test kit's), as {@code phi4 run-route} uses it without --model. */
final class SampleEngines {

    private SampleEngines() {}

    static Phi4Engine open() {
        try {
            return Phi4Engine.open(
                    Phi4TestModels.writeDefault(Files.createTempDirectory("phi4-demo-model")),
                    EngineOptions.builder()
                            .executionProvider("cpu")
                            .maxLength(512)
                            .build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Skips the caller while this engine build still refuses image/audio parts (they land separately). */
    static void assumeMediaServed(Phi4Engine engine) {
        boolean served;
        try {
            engine.generate(GenerationRequest.builder()
                    .image(Media.of(SampleMedia.scanPng()))
                    .user("probe")
                    .options(GenerationOptions.builder().maxNewTokens(1).build())
                    .build());
            served = true;
        } catch (InvalidInputException e) {
            served = !e.getMessage().contains("not supported by this engine build");
        }
        Assumptions.assumeTrue(served, "this engine build does not serve image/audio parts yet");
    }
}
