package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.Phi4Engine;
import java.nio.file.Path;

/** The ONNX Runtime implementation of {@link Phi4Engine}. Placeholder until the foundation lands. */
public final class OnnxPhi4Engine {
    private OnnxPhi4Engine() {}

    public static Phi4Engine open(Path modelDirectory, EngineOptions options) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
