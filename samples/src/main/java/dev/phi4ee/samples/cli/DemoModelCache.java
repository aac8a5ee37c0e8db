package dev.phi4ee.samples.cli;

import dev.phi4ee.core.testkit.Phi4TestModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo model: the test kit's Phi-4-shaped model (official layout, names, vocabulary and token ids; tiny random
 * weights). Written once under the user's cache directory when a command gets no {@code --model}.
 */
final class DemoModelCache {
    private static final String COMPLETE_MARKER = ".phi4-demo-model-complete";

    private DemoModelCache() {}

    /** {@code $XDG_CACHE_HOME/phi4ee/demo-model}, else {@code ~/.cache/phi4ee/demo-model}. */
    static Path defaultDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("phi4ee").resolve("demo-model");
    }

    /** Writes the demo model into {@code dir} unless a complete one is there. */
    static Path ensure(Path dir) {
        if (Files.exists(dir.resolve(COMPLETE_MARKER))) {
            return dir;
        }
        write(dir);
        return dir;
    }

    static Path write(Path dir) {
        Phi4TestModels.writeDefault(dir);
        try {
            Files.writeString(dir.resolve(COMPLETE_MARKER), "written by phi4 make-demo-model\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
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
