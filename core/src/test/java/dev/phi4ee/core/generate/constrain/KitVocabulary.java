package dev.phi4ee.core.generate.constrain;

import dev.phi4ee.core.testkit.Phi4TokenizerFiles;
import dev.phi4ee.core.text.Phi4Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kit's Phi-4 tokenizer (o200k_base + Phi-4's added tokens, 200,064 rows) as constraint tables, once per JVM. */
final class KitVocabulary {
    static final int VOCAB = 200_064;
    static final int EOS = Phi4TokenizerFiles.END_ID;

    private static Phi4Tokenizer tokenizer;
    private static TokenVocabulary vocabulary;

    private KitVocabulary() {}

    static synchronized Phi4Tokenizer tokenizer() {
        if (tokenizer == null) {
            try {
                Path dir = Files.createTempDirectory("phi4-tok-");
                dir.toFile().deleteOnExit();
                Phi4TokenizerFiles.write(dir);
                tokenizer = Phi4Tokenizer.load(dir.resolve("tokenizer.json"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tokenizer;
    }

    static synchronized TokenVocabulary vocabulary() {
        if (vocabulary == null) {
            Phi4Tokenizer t = tokenizer();
            vocabulary = TokenVocabulary.of(VOCAB, t::plainTokenBytes);
        }
        return vocabulary;
    }

    /** Fresh tables (own automata) over the shared vocabulary. */
    static ConstraintTables tables() {
        Phi4Tokenizer t = tokenizer();
        return new ConstraintTables(vocabulary(), s -> t.addedTokenId(s).orElse(-1), new int[] {EOS});
    }
}
