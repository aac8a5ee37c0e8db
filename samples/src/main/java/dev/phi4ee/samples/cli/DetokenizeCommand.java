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

/** {@code phi4 detokenize}: JSON Lines of id arrays on stdin → one JSON string per line on stdout. */
@Command(
        name = "detokenize",
        mixinStandardHelpOptions = true,
        description = {
            "Reads JSON Lines from stdin (one JSON array of token ids per line) and writes one JSON string per line.",
            "Special tokens are dropped unless --special is given."
        })
final class DetokenizeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ArgGroup(multiplicity = "1")
    TokenizerOptions source;

    @Option(names = "--special", description = "keep special tokens such as <|end|> in the text")
    boolean special;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Phi4Tokenizer tokenizer = source.load();
        PrintWriter out = spec.commandLine().getOut();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String json;
        int number = 0;
        while ((json = in.readLine()) != null) {
            number++;
            if (json.isBlank()) {
                continue;
            }
            int[] ids = parseIds(json);
            if (ids == null) {
                spec.commandLine().getErr().printf("line %d: expected a JSON array of integer token ids%n", number);
                return 1;
            }
            out.println(JSON.writeValueAsString(tokenizer.decode(ids, !special)));
        }
        out.flush();
        return 0;
    }

    private static int[] parseIds(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return null;
        }
        if (node == null || !node.isArray()) {
            return null;
        }
        int[] ids = new int[node.size()];
        for (int i = 0; i < ids.length; i++) {
            if (!node.get(i).isInt()) {
                return null;
            }
            ids[i] = node.get(i).intValue();
        }
        return ids;
    }
}
