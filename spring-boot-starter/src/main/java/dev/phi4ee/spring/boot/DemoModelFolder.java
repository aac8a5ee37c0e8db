package dev.phi4ee.spring.boot;

import dev.phi4ee.core.testkit.Phi4TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.util.ClassUtils;

/**
 * The demo model for {@code phi4.demo-model.enabled}: written once by the test kit into the folder the {@code phi4}
 * tool uses, with the tool's completion marker, so both share it. The kit is an optional dependency: its class is
 * touched only after the presence check.
 */
final class DemoModelFolder {
    private static final String TEST_KIT_CLASS = "dev.phi4ee.core.testkit.Phi4TestModels";
    private static final String COMPLETE_MARKER = ".phi4-demo-model-complete";

    private DemoModelFolder() {}

    /** {@code $XDG_CACHE_HOME/phi4ee/demo-model}, else {@code ~/.cache/phi4ee/demo-model}. */
    static Path defaultDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("phi4ee").resolve("demo-model");
    }

    /** Writes the demo model into {@code dir} unless a complete one is there; returns {@code dir}. */
    static Path ensure(Path dir) {
        if (Files.isRegularFile(dir.resolve(COMPLETE_MARKER))) {
            return dir;
        }
        if (!ClassUtils.isPresent(TEST_KIT_CLASS, DemoModelFolder.class.getClassLoader())) {
            throw new Phi4StartupException(
                    "phi4.demo-model.enabled=true, but the test kit that writes the demo model is not on the class"
                            + " path.",
                    "Add the dependencies dev.phi4ee:phi4-core (type test-jar) and com.knuddels:jtokkit, or set"
                            + " phi4.model-path to a real model folder.",
                    null);
        }
        Phi4TestModels.writeDefault(dir);
        try {
            Files.writeString(dir.resolve(COMPLETE_MARKER), "written by the Phi4 EE Spring Boot starter\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark the demo model in " + dir + " complete", e);
        }
        return dir;
    }
}
