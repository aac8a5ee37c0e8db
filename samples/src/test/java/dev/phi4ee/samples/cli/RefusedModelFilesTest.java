package dev.phi4ee.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import dev.phi4ee.samples.cli.ModelCommandsTest.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every model file the runtime refuses reaches a CLI user as one line naming the file, exit code 1, and no Java
 * stack trace (issue 11: "no stack trace for any refused model file").
 */
class RefusedModelFilesTest {
    @TempDir
    static Path tmp;

    static Path good;

    @BeforeAll
    static void writeModel() {
        good = Phi4TestModels.write(
                tmp.resolve("good"),
                TestModelSpec.builder().maxLength(256).contextLength(256).build());
    }

    @Test
    void malformedGenaiConfig() throws IOException {
        assertRefused(
                copy("config", dir -> write(dir.resolve("genai_config.json"), "{\"model\": ")), "genai_config.json");
    }

    @Test
    void missingGraphFile() throws IOException {
        assertRefused(
                copy("missing", dir -> delete(dir.resolve("phi-4-mm-embedding.onnx"))), "phi-4-mm-embedding.onnx");
    }

    @Test
    void truncatedGraph() throws IOException {
        assertRefused(copy("truncated", dir -> truncate(dir.resolve("phi-4-mm-text.onnx"))), "phi-4-mm-text.onnx");
    }

    @Test
    void refusedTokenizer() throws IOException {
        assertRefused(
                copy("tokenizer", dir -> write(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"Unigram\"}}")),
                "tokenizer.json");
    }

    private static void assertRefused(Path dir, String file) {
        for (String[] args : new String[][] {
            {"inspect-model", dir.toString()},
            {"generate", "--model", dir.toString(), "--max-new-tokens", "2", "--threads", "1", "hi"}
        }) {
            if (args[0].equals("inspect-model") && file.equals("tokenizer.json")) {
                continue; // inspect-model reads the graphs and configs, not the tokenizer
            }
            Run r = ModelCommandsTest.run(args);
            String all = r.out() + r.err(); // inspect-model reports a failed graph inside its report (stdout)
            assertThat(r.code()).as(args[0] + ": " + all).isEqualTo(1);
            assertThat(all).as(args[0]).contains(file).doesNotContain("\tat ").doesNotContain("Exception:");
            if (args[0].equals("generate")) {
                assertThat(r.err().lines().filter(l -> l.startsWith("error:")).count())
                        .as(args[0] + ": " + r.err())
                        .isEqualTo(1);
            }
        }
    }

    private static Path copy(String name, Consumer<Path> damage) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        try (var files = Files.list(good)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        damage.accept(dir);
        return dir;
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void truncate(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
