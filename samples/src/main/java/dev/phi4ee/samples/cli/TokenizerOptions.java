package dev.phi4ee.samples.cli;

import dev.phi4ee.core.text.Phi4Tokenizer;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the tokenizer comes from: a tokenizer.json file or a model directory that holds one. */
final class TokenizerOptions {
    @Option(
            names = "--tokenizer",
            paramLabel = "FILE",
            description = "tokenizer.json (a sibling tokenizer_config.json is read when present)")
    Path tokenizerFile;

    @Option(names = "--model", paramLabel = "DIR", description = "model directory containing tokenizer.json")
    Path modelDir;

    Phi4Tokenizer load() {
        return Phi4Tokenizer.load(tokenizerFile != null ? tokenizerFile : modelDir.resolve("tokenizer.json"));
    }
}
