package dev.phi4ee.spring.boot;

import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.nio.file.Path;

/** The test kit's Phi-4-shaped model (random weights), written once per JVM. */
final class KitModel {
    private KitModel() {}

    static Path directory() {
        return Phi4TestModels.shared(TestModelSpec.defaults());
    }
}
