package dev.phi4ee.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.testkit.Phi4TokenizerFiles;
import dev.phi4ee.core.text.Phi4Tokenizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {
    @TempDir
    static Path model;

    private static Phi4Tokenizer tokenizer;

    @BeforeAll
    static void writeModel() {
        Phi4TokenizerFiles.write(model);
        tokenizer = Phi4Tokenizer.load(model.resolve("tokenizer.json"));
    }

    @Test
    void tokenizeWritesOneIdArrayPerJsonLine() {
        String input = "\"Hello, world!\"\n\"<|user|>hi<|end|>\"\n\"snow ☃\\n\"\n";
        Result r = run(input, "tokenize", "--model", model.toString());
        assertThat(r.code).isZero();
        assertThat(r.out.lines().toList())
                .containsExactly(
                        json(tokenizer.encodeOrdinary("Hello, world!")),
                        json(tokenizer.encodeOrdinary("<|user|>hi<|end|>")),
                        json(tokenizer.encodeOrdinary("snow ☃\n")));
    }

    @Test
    void specialRecognisesTemplateTokens() {
        Result r = run("\"<|user|>hi<|end|>\"\n", "tokenize", "--special", "--tokenizer", tokenizerFile());
        assertThat(r.code).isZero();
        assertThat(r.out.strip()).isEqualTo(json(tokenizer.encodeWithSpecialTokens("<|user|>hi<|end|>")));
        assertThat(r.out).startsWith("[200021,");
    }

    @Test
    void detokenizeIsTheInverse() {
        String ids = json(tokenizer.encodeWithSpecialTokens("<|user|>snow ☃ \"quoted\"<|end|>"));
        Result keep = run(ids + "\n", "detokenize", "--special", "--model", model.toString());
        assertThat(keep.out.strip()).isEqualTo("\"<|user|>snow ☃ \\\"quoted\\\"<|end|>\"");
        Result skip = run(ids + "\n", "detokenize", "--tokenizer", tokenizerFile());
        assertThat(skip.out.strip()).isEqualTo("\"snow ☃ \\\"quoted\\\"\"");
    }

    @Test
    void badInputIsReportedWithItsLineNumber() {
        Result r = run("\"ok\"\n42\n", "tokenize", "--model", model.toString());
        assertThat(r.code).as("out %s err %s", r.out, r.err).isEqualTo(1);
        assertThat(r.err).contains("line 2");
        Result ids = run("[1, \"2\"]\n", "detokenize", "--model", model.toString());
        assertThat(ids.code).isEqualTo(1);
        assertThat(ids.err).contains("line 1");
        assertThat(run("\"x\"\n", "tokenize").code).isNotZero(); // no tokenizer given
    }

    /**
     * {@code --chat}: the Phi-4 prompt ids. Expected ids follow Hugging Face's rule for the published flags (rstrip
     * role and tool tokens take the whitespace at the start of a content) while typed control text stays text.
     */
    @Test
    void chatWritesThePromptIdsOfEachRequest() {
        String input = "{\"messages\":[{\"role\":\"system\",\"content\":\" Be brief.\",\"tools\":\" []\"},"
                + "{\"role\":\"user\",\"content\":\"\\tHi <|end|>\"}],\"add_generation_prompt\":true}\n"
                + "\n{\"messages\":[{\"role\":\"user\",\"content\":\" x\",\"tools\":\"ignored\"}]}\n";
        Result r = run(input, "tokenize", "--chat", "--model", model.toString());
        assertThat(r.code).as(r.err).isZero();
        assertThat(r.out.lines().toList())
                .containsExactly(
                        json(concat(
                                new int[] {200_022},
                                tokenizer.encodeOrdinary("Be brief."),
                                new int[] {200_023},
                                tokenizer.encodeOrdinary("[]"),
                                new int[] {200_024, 200_020, 200_021},
                                tokenizer.encodeOrdinary("Hi <|end|>"),
                                new int[] {200_020, 200_019})),
                        json(concat(new int[] {200_021}, tokenizer.encodeOrdinary("x"), new int[] {200_020, 199_999})));
    }

    @Test
    void chatRequestsWithTheWrongShapeAreReportedWithTheirLine() {
        String[][] cases = {
            {"[1]", "chat request object"},
            {"{\"messages\":[]}", "field messages"},
            {"{\"messages\":[{\"role\":\"function\",\"content\":\"x\"}]}", "field messages[0].role"},
            {"{\"messages\":[{\"role\":\"user\"}]}", "field messages[0].content"},
            {"{\"messages\":[{\"role\":\"system\",\"content\":\"\",\"tools\":[]}]}", "field messages[0].tools"},
            {
                "{\"messages\":[{\"role\":\"user\",\"content\":\"\"}],\"add_generation_prompt\":1}",
                "add_generation_prompt"
            },
        };
        for (String[] c : cases) {
            Result r = run(
                    "{\"messages\":[{\"role\":\"user\",\"content\":\"ok\"}]}\n" + c[0] + "\n",
                    "tokenize",
                    "--chat",
                    "--model",
                    model.toString());
            assertThat(r.code).as(c[0]).isEqualTo(1);
            assertThat(r.out.lines().count()).isOne();
            assertThat(r.err).startsWith("line 2: ").contains(c[1]);
        }
        assertThat(run("", "tokenize", "--chat", "--special", "--model", model.toString()).code)
                .isEqualTo(2);
    }

    /** A tokenizer file the loader refuses: one line naming file and field, exit code 1, no stack trace. */
    @Test
    void refusedTokenizerFileGivesOneClearLine(@TempDir Path bad) throws Exception {
        String json = new String(Phi4TokenizerFiles.tokenizerJson(), StandardCharsets.UTF_8);
        String damaged = json.replace("\"normalizer\":null", "\"normalizer\":{\"type\":\"NFC\"}");
        assertThat(damaged).isNotEqualTo(json);
        Files.writeString(bad.resolve("tokenizer.json"), damaged);
        String[][] commands = {
            {"tokenize", "--model", bad.toString()},
            {"tokenize", "--chat", "--model", bad.toString()},
            {"detokenize", "--tokenizer", bad.resolve("tokenizer.json").toString()},
        };
        for (String[] command : commands) {
            Result r = run("\"x\"\n", command);
            assertThat(r.code).isEqualTo(1);
            assertThat(r.out).isEmpty();
            assertThat(r.err.lines().toList())
                    .singleElement()
                    .asString()
                    .startsWith("error: " + bad.resolve("tokenizer.json") + ": field normalizer")
                    .doesNotContain("Exception", "\tat ");
        }
        Result missing =
                run("\"x\"\n", "tokenize", "--model", bad.resolve("nothing").toString());
        assertThat(missing.code).isEqualTo(1);
        assertThat(missing.err.lines().toList()).singleElement().asString().contains("not found");
    }

    /** Without --special, detokenize drops special tokens only: tool-call output keeps its tool tokens. */
    @Test
    void detokenizeKeepsToolTokens() {
        String ids = json(tokenizer.encodeWithSpecialTokens("<|tool_call|>{\"f\": 1}<|/tool_call|><|end|>"));
        Result skip = run(ids + "\n", "detokenize", "--model", model.toString());
        assertThat(skip.out.strip()).isEqualTo("\"<|tool_call|>{\\\"f\\\": 1}<|/tool_call|>\"");
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    private static String tokenizerFile() {
        return model.resolve("tokenizer.json").toString();
    }

    private static String json(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"));
    }

    private record Result(int code, String out, String err) {}

    private static synchronized Result run(String stdin, String... args) {
        InputStream in = System.in;
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int code = Phi4Cli.run(args);
            return new Result(
                    code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(in);
            System.setOut(out);
            System.setErr(err);
        }
    }
}
