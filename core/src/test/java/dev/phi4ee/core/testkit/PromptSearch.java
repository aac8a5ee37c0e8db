package dev.phi4ee.core.testkit;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.function.IntPredicate;

/**
 * Finds prompts after which a kit model's raw greedy choice (plain argmax, first index on ties) is an id of interest,
 * by seeded random search: one pass without cache over a random prompt scores every prefix of it at once.
 */
public final class PromptSearch {
    private PromptSearch() {}

    /**
     * The shortest prefix of one of {@code attempts} random prompts of {@code length} ids (drawn from
     * {@code [0, idBound)} by {@code new Random(seed)}) whose last position's argmax satisfies {@code wanted}.
     * Keep {@code length} within {@code original_max_position_embeddings}: a longer pass switches every position to
     * the long RoPE factors, which a prefill of a short prefix does not use (reference §4.4).
     */
    public static Optional<long[]> find(
            Path modelDir, TestModelSpec spec, int length, int idBound, long seed, int attempts, IntPredicate wanted) {
        Random random = new Random(seed);
        int vocab = Phi4Ids.VOCAB_SIZE;
        try (DecoderRunner runner = new DecoderRunner(modelDir, spec)) {
            for (int attempt = 0; attempt < attempts; attempt++) {
                long[] ids = random.longs(length, 0, idBound).toArray();
                float[] logits = runner.fullPass(ids).floats();
                for (int p = 0; p < length; p++) {
                    int best = p * vocab;
                    for (int i = best + 1; i < (p + 1) * vocab; i++) {
                        if (logits[i] > logits[best]) {
                            best = i;
                        }
                    }
                    if (wanted.test(best - p * vocab)) {
                        return Optional.of(Arrays.copyOf(ids, p + 1));
                    }
                }
            }
        }
        return Optional.empty();
    }
}
