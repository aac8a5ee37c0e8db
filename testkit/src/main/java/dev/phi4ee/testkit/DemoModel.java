package dev.phi4ee.testkit;

import dev.phi4ee.core.testkit.Phi4TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo model: a Phi-4-shaped model directory in the release's layout, with the real vocabulary and token ids and
 * tiny <b>random</b> weights. Every code path of the engine runs on it; the text it generates is noise. The
 * {@code phi4} tool uses it when no {@code --model} is given; a library user gets it without the tool:
 *
 * <pre>{@code
 * Path dir = DemoModel.materialize();   // ~/.cache/phi4ee/demo-model, written once (about 50 MB, a few seconds)
 * try (Phi4Engine engine = Phi4Engine.open(dir, EngineOptions.builder().executionProvider("cpu").build())) { … }
 * }</pre>
 *
 * A write that fails leaves no partial folder (the files are moved in only once all were written), and a folder is
 * reused only when it holds the completion marker written last.
 */
public final class DemoModel {
    /** Written after the model; a folder without it is written again. Same name as the phi4 tool has always used. */
    public static final String COMPLETE_MARKER = ".phi4-demo-model-complete";

    private DemoModel() {}

    /** {@code $XDG_CACHE_HOME/phi4ee/demo-model}, else {@code ~/.cache/phi4ee/demo-model}. */
    public static Path defaultDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("phi4ee").resolve("demo-model");
    }

    /** {@link #materialize(Path)} into {@link #defaultDirectory()}. */
    public static Path materialize() {
        return materialize(defaultDirectory());
    }

    /** Writes the demo model into {@code dir} unless a complete one is there already; returns {@code dir}. */
    public static Path materialize(Path dir) {
        if (isComplete(dir)) {
            return dir;
        }
        Phi4TestModels.writeDefault(dir);
        try {
            Files.writeString(dir.resolve(COMPLETE_MARKER), "the Phi4 EE demo model (random weights)\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark the demo model in " + dir + " complete", e);
        }
        return dir;
    }

    /** Whether {@code dir} holds a demo model written to the end. */
    public static boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve(COMPLETE_MARKER));
    }
}
