package dev.phi4ee.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** make-demo-model, inspect-model and generate on a freshly written kit model. */
class ModelCommandsTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Phi4Cli.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void makeInspectAndGenerate() {
        Path dir = tmp.resolve("demo");
        Run made = run("make-demo-model", dir.toString());
        assertThat(made.code()).isZero();
        assertThat(made.err()).contains("RANDOM");

        Run inspected = run("inspect-model", dir.toString());
        assertThat(inspected.code()).as(inspected.err()).isZero();
        assertThat(inspected.out())
                .contains("type phi4mm, vocab 200064")
                .contains("phi-4-mm-text.onnx")
                .contains("in  past_key_values.0.key: float32 [")
                .contains("out logits: float32 [")
                .contains("contract: OK");

        Run generated = run(
                "generate",
                "--model",
                dir.toString(),
                "--max-new-tokens",
                "6",
                "--threads",
                "1",
                "--provider",
                "cpu",
                "--system",
                "Be brief.",
                "Hello there");
        assertThat(generated.code()).as(generated.err()).isZero();
        assertThat(generated.err()).contains("[finish ").contains("generated ");

        Run streamed = run(
                "generate",
                "--model",
                dir.toString(),
                "--max-new-tokens",
                "6",
                "--threads",
                "1",
                "--provider",
                "cpu",
                "--system",
                "Be brief.",
                "--stream",
                "Hello there");
        assertThat(streamed.code()).isZero();
        assertThat(streamed.out().strip()).isEqualTo(generated.out().strip());
    }

    @Test
    void errorsAreReportedWithExitCodeOne() {
        Run missing = run("inspect-model", tmp.resolve("nowhere").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("does not exist");
        Path dir = tmp.resolve("demo2");
        run("make-demo-model", dir.toString());
        Run tooLong = run("generate", "--model", dir.toString(), "--max-new-tokens", "5000", "--threads", "1", "hi");
        assertThat(tooLong.code()).isEqualTo(1);
        assertThat(tooLong.err()).contains("exceeds the context window");
    }
}
