package dev.phi4ee.ear.it;

import dev.phi4ee.core.testkit.Phi4TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Run by the build before the server starts: writes the test kit's Phi-4-shaped model to the given directory. */
public final class WriteTestModel {

    private WriteTestModel() {}

    public static void main(String[] args) throws IOException {
        Path directory = Path.of(args[0]);
        Files.createDirectories(directory);
        Phi4TestModels.writeDefault(directory);
        System.out.println("phi4: test model written to " + directory);
    }
}
