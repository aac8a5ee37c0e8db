package dev.phi4ee.samples.cli;

import dev.phi4ee.testkit.DemoModel;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The demo model for the commands given no {@code --model}: {@link DemoModel} (the test kit's Phi-4-shaped model,
 * tiny random weights), written once under the user's cache directory, and the banner that says so.
 */
final class DemoModelCache {
    private DemoModelCache() {}

    /** {@code $XDG_CACHE_HOME/phi4ee/demo-model}, else {@code ~/.cache/phi4ee/demo-model}. */
    static Path defaultDirectory() {
        return DemoModel.defaultDirectory();
    }

    /** Writes the demo model into {@code dir} unless a complete one is there. */
    static Path ensure(Path dir) {
        return DemoModel.materialize(dir);
    }

    static void warn(PrintWriter err, Path dir) {
        err.println("**********************************************************************************");
        err.println("* DEMO MODEL at " + dir);
        err.println("* Its weights are RANDOM: every code path is real, the generated text is NOISE.");
        err.println("* For real output pass --model <folder of Phi-4-multimodal-instruct-onnx>.");
        err.println("**********************************************************************************");
        err.flush();
    }
}
