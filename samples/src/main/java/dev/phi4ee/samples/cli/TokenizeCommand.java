package dev.phi4ee.samples.cli;

import dev.phi4ee.core.text.Phi4Tokenizer;
import java.io.IOException;
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
    @ArgGroup(multiplicity = "1")
    TokenizerOptions source;

    @Option(names = "--special", description = "recognise the tokenizer's added tokens (template text)")
    boolean special;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Phi4Tokenizer tokenizer = source.load();
        StringBuilder line = new StringBuilder();
        return JsonLines.map(spec, "a JSON string", value -> {
            if (!value.isTextual()) {
                return null;
            }
            String text = value.textValue();
            int[] ids = special ? tokenizer.encodeWithSpecialTokens(text) : tokenizer.encodeOrdinary(text);
            line.setLength(0);
            line.append('[');
            for (int i = 0; i < ids.length; i++) {
                line.append(i == 0 ? "" : ",").append(ids[i]);
            }
            return line.append(']').toString();
        });
    }
}
