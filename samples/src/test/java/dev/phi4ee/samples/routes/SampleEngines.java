package dev.phi4ee.samples.routes;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.testkit.Phi4TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** The real engine on the demo model (the test kit's), as {@code phi4 run-route} uses it without --model. */
final class SampleEngines {

    private SampleEngines() {}

    static Phi4Engine open() {
        try {
            return Phi4Engine.open(
                    Phi4TestModels.writeDefault(Files.createTempDirectory("phi4-demo-model")),
                    EngineOptions.builder()
                            .executionProvider("cpu")
                            .maxLength(2048)
                            .build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
