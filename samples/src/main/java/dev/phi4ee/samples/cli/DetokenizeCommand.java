package dev.phi4ee.samples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.phi4ee.core.api.Phi4Exception;
import dev.phi4ee.core.text.Phi4Tokenizer;
import java.io.IOException;
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
            "Tokens marked special are dropped unless --special is given, as Hugging Face's"
                    + " skip_special_tokens=True does; Phi-4's tool tokens (<|tool_call|> ...) are not special and"
                    + " stay."
        })
final class DetokenizeCommand implements Callable<Integer> {
    @ArgGroup(multiplicity = "1")
    TokenizerOptions source;

    @Option(names = "--special", description = "keep all added tokens, also special ones such as <|end|>")
    boolean special;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Phi4Tokenizer tokenizer;
        try {
            tokenizer = source.load();
        } catch (Phi4Exception e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 1;
        }
        return JsonLines.map(spec, "a JSON array of integer token ids", value -> {
            int[] ids = ids(value);
            return ids == null ? null : JsonLines.JSON.writeValueAsString(tokenizer.decode(ids, !special));
        });
    }

    private static int[] ids(JsonNode node) {
        if (!node.isArray()) {
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
