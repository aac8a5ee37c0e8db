package dev.phi4ee.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model write that fails part-way leaves nothing behind (it used to leave a 50 MB half-written folder that the
 * next run took for a model), and a successful one leaves only the model.
 */
class Phi4TestModelsAtomicWriteTest {
    /** Writes one file into the staging folder, then fails, while the graph writers run next to it. */
    private static final Consumer<Path> FAIL_AFTER_A_FILE = staging -> {
        try {
            Files.writeString(staging.resolve("injected.txt"), "written before the failure");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("injected failure");
    };

    @TempDir
    Path temp;

    @Test
    void failedWriteIntoANewFolderLeavesNoFolder() {
        Path dir = temp.resolve("model");

        assertThatThrownBy(() -> Phi4TestModels.write(dir, TestModelSpec.defaults(), FAIL_AFTER_A_FILE))
                .hasMessage("injected failure");

        assertThat(dir).doesNotExist();
        assertThat(entries(temp)).as("nothing left next to it").isEmpty();
    }

    @Test
    void failedWriteIntoAnExistingFolderLeavesItAsItWas() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("model"));
        Files.writeString(dir.resolve("notes.txt"), "mine");

        assertThatThrownBy(() -> Phi4TestModels.write(dir, TestModelSpec.defaults(), FAIL_AFTER_A_FILE))
                .hasMessage("injected failure");

        assertThat(entries(dir)).containsExactly("notes.txt");
        assertThat(entries(temp)).containsExactly("model");
    }

    @Test
    void successfulWriteLeavesOnlyTheModel() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("existing"));
        Files.writeString(dir.resolve("notes.txt"), "mine");

        Phi4TestModels.write(temp.resolve("fresh"), TestModelSpec.defaults());
        Phi4TestModels.write(dir, TestModelSpec.defaults());

        assertThat(entries(temp)).containsExactlyInAnyOrder("fresh", "existing");
        assertThat(entries(temp.resolve("fresh")))
                .contains(Phi4TestModels.GENAI_CONFIG_FILE, Phi4TestModels.TEXT_FILE, "tokenizer.json");
        assertThat(entries(dir)).contains("notes.txt").containsAll(entries(temp.resolve("fresh")));
    }

    private static List<String> entries(Path dir) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
