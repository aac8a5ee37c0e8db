package dev.phi4ee.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.testkit.Phi4TokenizerFiles;
import dev.phi4ee.core.text.Phi4Tokenizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
