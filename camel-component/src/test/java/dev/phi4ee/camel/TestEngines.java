package dev.phi4ee.camel;

import dev.phi4ee.core.api.Phi4Engine;
import java.time.Duration;

/** One engine for every test class of this JVM, as in production (one model instance per JVM). */
final class TestEngines {

    private static Phi4Engine shared;

    private TestEngines() {}

    static synchronized Phi4Engine shared() {
        if (shared == null) {
            shared = new EchoEngine(Duration.ofMillis(20));
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }
}
