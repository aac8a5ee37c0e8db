package dev.phi4ee.core.generate;

import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The ids that steer every request's token choice: the end-of-sequence ids ({@code eos_token_id} of
 * genai_config.json, reference §2.2) and the ids never generated, because the model cannot take them back as input:
 *
 * <ul>
 *   <li>the media placeholders (200010 image, 200011 audio, §6.2): the embedding graph replaces each by the next
 *       image/audio feature row (§3.3), and a decode step binds no features, so a fed-back placeholder fails the run;
 *   <li>the ids no token of the tokenizer has: rows that exist only because the embedding is padded to 200,064
 *       (§6.1: 199998, 200000–200009, 200012–200017, 200029–200063 in the release); they decode to nothing and were
 *       never trained.
 * </ul>
 *
 * The unused ids are read from the codec's vocabulary, not hard-coded, so a tokenizer with other added tokens gets
 * its own set.
 *
 * @param eos end-of-sequence ids
 * @param neverGenerated ascending ids excluded from generation in every sampling mode
 */
record GenerationIds(Set<Integer> eos, int[] neverGenerated) {
    GenerationIds {
        eos = Set.copyOf(eos);
        neverGenerated = neverGenerated.clone();
    }

    /** The model's end ids, its placeholders, and every id below {@code vocabSize} that {@code codec} has no token for. */
    static GenerationIds of(List<Integer> eosTokenIds, int vocabSize, TextCodec codec) {
        Set<Integer> eos = Set.copyOf(eosTokenIds);
        int[] never = IntStream.range(0, vocabSize)
                .filter(id -> !eos.contains(id))
                .filter(id -> id == Phi4TextCodec.IMAGE_PLACEHOLDER_ID
                        || id == Phi4TextCodec.AUDIO_PLACEHOLDER_ID
                        || !codec.hasToken(id))
                .toArray();
        return new GenerationIds(eos, never);
    }

    /** The end ids as an array for {@code TokenSampler}. */
    int[] eosArray() {
        return eos.stream().mapToInt(Integer::intValue).sorted().toArray();
    }
}
