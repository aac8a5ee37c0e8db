package dev.phi4ee.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
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
    void inspectModelPrintsTheKvCachePlanOfTheOptions() {
        // The demo model with the release's window (reference §2.2): 1 KiB per token, 8 × 131072 = 1 GiB.
        Path dir = Phi4TestModels.write(
                tmp.resolve("release-window"),
                TestModelSpec.builder().contextLength(131072).maxLength(131072).build());
        Run defaults = run("inspect-model", "--provider", "cpu", dir.toString());
        assertThat(defaults.code()).as(defaults.err()).isZero();
        assertThat(defaults.out())
                .contains("context_length 131072, max_length 131072")
                .contains("KV cache in host memory: 1 KiB per token, window 131072, 8 slots, 1.0 GiB shared buffer;"
                        + " budget ");
        Run budget = run("inspect-model", "--provider", "cpu", "--kv-cache-bytes", "64m", dir.toString());
        assertThat(budget.out())
                .contains("window 8192, 8 slots, 64.0 MiB shared buffer; budget 64.0 MiB from kvCacheBytes");
        Run growing = run(
                "inspect-model", "--provider", "cpu", "--kv-cache", "GROWING", "--max-length", "4096", dir.toString());
        assertThat(growing.out()).contains("window 4096, growing, 1 request at a time, peak 8.0 MiB (past + present)");
        Run tooBig = run(
                "inspect-model",
                "--provider",
                "cpu",
                "--max-length",
                "131072",
                "--kv-cache-bytes",
                "64MiB",
                dir.toString());
        assertThat(tooBig.code()).isEqualTo(1);
        assertThat(tooBig.out())
                .contains("KV cache: FAILED: maxLength 131072 needs 128.0 MiB of KV cache for one request (1 KiB per"
                        + " token) but the KV budget is 64.0 MiB (kvCacheBytes)");
        Run generateTooBig =
                run("generate", "--model", dir.toString(), "--max-length", "131072", "--kv-cache-bytes", "64m", "hi");
        assertThat(generateTooBig.code()).isEqualTo(1);
        assertThat(generateTooBig.err()).startsWith("error: maxLength 131072 needs 128.0 MiB");
        Run badBytes = run("generate", "--model", dir.toString(), "--kv-cache-bytes", "lots", "hi");
        assertThat(badBytes.code()).isEqualTo(1);
        assertThat(badBytes.err()).contains("expected a byte count such as 17179869184, 16g or 512MiB, was 'lots'");
        Run badShare = run("inspect-model", "--host-memory-utilization", "1.5", dir.toString());
        assertThat(badShare.code()).isEqualTo(1);
        assertThat(badShare.err()).contains("hostMemoryUtilization must be in (0, 1], was 1.5");
    }

    @Test
    void jsonSchemaPrintsOnlyAValidDocument() throws Exception {
        Path dir = tmp.resolve("demo-json");
        run("make-demo-model", dir.toString());
        Path schema = tmp.resolve("invoice.json");
        java.nio.file.Files.writeString(schema, """
                {"type":"object","properties":{"number":{"type":"string","pattern":"^INV-[0-9]{4}$"},
                 "total":{"type":"integer","minimum":0,"maximum":999}},"required":["number","total"],
                 "additionalProperties":false}""");
        Run r = run(
                "generate",
                "--model",
                dir.toString(),
                "--threads",
                "1",
                "--provider",
                "cpu",
                "--json-schema",
                schema.toString(),
                "Extract the invoice.");
        assertThat(r.code()).as(r.err()).isZero();
        var doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertThat(doc.get("number").textValue()).matches("INV-[0-9]{4}");
        assertThat(doc.get("total").intValue()).isBetween(0, 999);
        assertThat(doc.size()).isEqualTo(2);

        Run object = run(
                "generate",
                "--model",
                dir.toString(),
                "--threads",
                "1",
                "--provider",
                "cpu",
                "--json",
                "--max-new-tokens",
                "4",
                "Hi");
        assertThat(object.out()).startsWith("{");

        java.nio.file.Files.writeString(schema, "{\"type\":\"string\",\"format\":\"uri\"}");
        Run bad = run("generate", "--model", dir.toString(), "--json-schema", schema.toString(), "Hi");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).startsWith("error: " + schema + ": JSON schema: unsupported format 'uri'");
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
