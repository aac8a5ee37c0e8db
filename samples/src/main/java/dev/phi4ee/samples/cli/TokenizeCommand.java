package dev.phi4ee.samples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.phi4ee.core.text.Phi4Tokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code phi4 tokenize}: JSON Lines of strings on stdin → one JSON array of token ids per line on stdout. */
@Command(
        name = "tokenize",
        mixinStandardHelpOptions = true,
        description = {
            "Reads JSON Lines from stdin (one JSON string per line) and writes one JSON array of token ids per line.",
            "Text is ordinary: special-token strings such as <|end|> stay plain text unless --special is given."
        })
final class TokenizeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ArgGroup(multiplicity = "1")
    TokenizerOptions source;

    @Option(names = "--special", description = "recognise the tokenizer's added tokens (template text)")
    boolean special;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Phi4Tokenizer tokenizer = source.load();
        PrintWriter out = spec.commandLine().getOut();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder line = new StringBuilder();
        String json;
        int number = 0;
        while ((json = in.readLine()) != null) {
            number++;
            if (json.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(json);
            } catch (JsonProcessingException e) {
                node = null;
            }
            if (node == null || !node.isTextual()) {
                spec.commandLine().getErr().printf("line %d: expected a JSON string%n", number);
                return 1;
            }
            String text = node.textValue();
            int[] ids = special ? tokenizer.encodeWithSpecialTokens(text) : tokenizer.encodeOrdinary(text);
            line.setLength(0);
            line.append('[');
            for (int i = 0; i < ids.length; i++) {
                line.append(i == 0 ? "" : ",").append(ids[i]);
            }
            out.println(line.append(']'));
        }
        out.flush();
        return 0;
    }
}
