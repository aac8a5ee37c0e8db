package dev.phi4ee.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Phi4Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A library user gets a working demo model from this artifact alone (its dependencies bring jtokkit). */
class DemoModelTest {
    @TempDir
    Path temp;

    @Test
    void materializedModelOpensAndGenerates() {
        Path dir = DemoModel.materialize(temp.resolve("demo"));

        assertThat(DemoModel.isComplete(dir)).isTrue();
        try (Phi4Engine engine = Phi4Engine.open(
                dir, EngineOptions.builder().executionProvider("cpu").build())) {
            GenerationResult result = engine.generate(GenerationRequest.builder()
                    .user("Hello")
                    .options(GenerationOptions.builder().maxNewTokens(3).build())
                    .build());
            assertThat(result.usage().generatedTokens()).isBetween(1, 3);
        }
    }

    @Test
    void aCompleteModelIsReusedAndAnIncompleteFolderIsWrittenAgain() throws IOException {
        Path dir = DemoModel.materialize(temp.resolve("demo"));
        Path tokenizer = dir.resolve("tokenizer.json");
        FileTime old = FileTime.fromMillis(0);
        Files.setLastModifiedTime(tokenizer, old);

        DemoModel.materialize(dir);
        assertThat(Files.getLastModifiedTime(tokenizer))
                .as("reused, not rewritten")
                .isEqualTo(old);

        Files.delete(dir.resolve(DemoModel.COMPLETE_MARKER)); // as a run killed before the marker leaves it
        Files.writeString(tokenizer, "{ truncated");
        DemoModel.materialize(dir);
        assertThat(DemoModel.isComplete(dir)).isTrue();
        assertThat(Files.size(tokenizer)).isGreaterThan(1_000_000);
    }
}
