package dev.phi4ee.samples.routes;

import dev.phi4ee.core.testkit.Phi4TestModels;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo model: the test kit's Phi-4-shaped model (real layout, vocabulary and token ids; tiny random weights),
 * written once into a folder. It runs every code path of the real model; its text is random.
 */
public final class DemoModel {

    /** Where the demo model is written when no folder is given: ./demo-model (ignored by git). */
    public static final Path DEFAULT_DIRECTORY = Path.of("demo-model");

    private static final String COMPLETE_MARKER = ".phi4-demo-model-complete";

    private DemoModel() {}

    /** Writes the model unless a complete one is already there; returns the folder. */
    public static Path ensure(Path directory) {
        if (Files.exists(directory.resolve(COMPLETE_MARKER))) {
            return directory;
        }
        Phi4TestModels.writeDefault(directory);
        try {
            Files.writeString(directory.resolve(COMPLETE_MARKER), "written by phi4 samples\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return directory;
    }

    /** Says, loudly, that the output will be random. */
    public static void warn(PrintStream out, Path directory) {
        out.println("****************************************************************************************");
        out.println("*  DEMO MODEL (" + directory + "): tiny RANDOM weights.                              ");
        out.println("*  Every code path is real, but the generated text is RANDOM and MEANS NOTHING.       ");
        out.println("*  For real output pass --model <folder of Phi-4-multimodal-instruct-onnx>.          ");
        out.println("****************************************************************************************");
    }
}
