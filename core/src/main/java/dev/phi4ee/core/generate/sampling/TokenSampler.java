package dev.phi4ee.core.generate.sampling;

import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.InferenceException;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/**
 * Chooses each next token of one request from its logits row, with Hugging Face {@code generate()} semantics and
 * processor order: repetition penalty, min new tokens (end-of-sequence ids masked), then, when sampling, temperature,
 * top-k, top-p, min-p and a multinomial draw; greedy decoding is the argmax after the first two. See
 * docs/decisions/decoding-processor-order.md.
 *
 * <p>Ids the model cannot take back as input (media placeholders, unused padding rows) are never chosen: they count
 * as -inf before every processor, in every mode (see docs/decisions/decoding-token-choice-fast-paths.md).
 *
 * <p>Greedy decoding reads the row in place with one vectorised argmax pass ({@link ArgmaxScan}) that skips the
 * excluded ids by range, never by a per-element test; with a repetition penalty only the history's ids are penalised
 * and compared, and a second pass runs only when the 16 best unpenalised ids are all in the history. Sampling
 * copies the row once per step into a per-request scratch array and never sorts the vocabulary: top-k takes the k best
 * with a bounded heap, top-p alone finds its threshold with a mass histogram ({@link NucleusSelection}), min-p is a
 * threshold. One instance per request; not thread-safe.
 */
public final class TokenSampler {
    /**
     * When the whole vocabulary is weighed (no top-k), tokens more than {@code ln(vocab) + 28} below the maximum logit
     * get weight 0: together they weigh less than e^-28 (about 7e-13) of the total, far below the float32 resolution
     * of the reference implementation, and the bound keeps the top-p histogram on the range that carries mass.
     */
    private static final double NEGLIGIBLE_MARGIN = 28;

    /** Best unpenalised ids ranked by the penalty path's scan: enough that one is outside the history. */
    private static final int CANDIDATES = 16;

    private final int vocabSize;
    private final int[] eosTokenIds;
    /** Ids never chosen, ascending. */
    private final int[] excluded;
    /** {@link #excluded} plus the end-of-sequence ids, ascending: what greedy skips while min new tokens masks EOS. */
    private final int[] excludedAndEos;

    private final boolean greedy;
    private final int minNewTokens;
    private final float penalty;
    private final float temperature;
    private final int topK;
    private final double topP;
    private final double minP;
    private final long seed;
    private final SplitMix64 random;
    private final double negligibleBelow;

    private float[] scratch;
    /** Sum of the weights {@link #filter} left in {@link #scratch} when it returned {@link #WHOLE_VOCABULARY}. */
    private double wholeVocabularyTotal;

    private final ArgmaxScan argmaxScan = new ArgmaxScan();
    private int[] merged = new int[0];
    private final int[] chunk = new int[2048];
    private final CandidateRanking ranking = new CandidateRanking();
    private final NucleusSelection nucleus = new NucleusSelection();

    /** Result of {@link #filter}: no candidate is left. */
    private static final int NONE = -1;
    /** Result of {@link #filter}: the whole vocabulary is a candidate, its weights are in {@link #scratch}. */
    private static final int WHOLE_VOCABULARY = -2;

    private TokenSampler(GenerationOptions options, int vocabSize, int[] eosTokenIds, int[] excluded) {
        this.vocabSize = vocabSize;
        this.eosTokenIds = eosTokenIds;
        this.excluded = excluded;
        this.excludedAndEos = IntStream.concat(IntStream.of(excluded), IntStream.of(eosTokenIds))
                .distinct()
                .sorted()
                .toArray();
        this.greedy = options.greedy();
        this.minNewTokens = options.minNewTokens();
        this.penalty = (float) options.repetitionPenalty();
        this.temperature = (float) options.temperature();
        this.topK = options.topK();
        this.topP = options.topP();
        this.minP = options.minP();
        this.seed = options.seed() != null
                ? options.seed()
                : ThreadLocalRandom.current().nextLong();
        this.random = new SplitMix64(seed);
        this.negligibleBelow = -(Math.log(vocabSize) + NEGLIGIBLE_MARGIN);
    }

    /**
     * @param options the request's decoding options
     * @param vocabSize entries per logits row
     * @param eosTokenIds ids that end the sequence (masked while fewer than {@code minNewTokens} were generated)
     */
    public static TokenSampler create(GenerationOptions options, int vocabSize, int... eosTokenIds) {
        return create(options, vocabSize, eosTokenIds, new int[0]);
    }

    /**
     * @param options the request's decoding options
     * @param vocabSize entries per logits row
     * @param eosTokenIds ids that end the sequence (masked while fewer than {@code minNewTokens} were generated)
     * @param neverGenerated ids never chosen (see {@code GenerationIds}); an end-of-sequence id must not be among them
     */
    public static TokenSampler create(
            GenerationOptions options, int vocabSize, int[] eosTokenIds, int[] neverGenerated) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabSize must be >= 1, was " + vocabSize);
        }
        checkIds("eos id", eosTokenIds, vocabSize);
        checkIds("excluded id", neverGenerated, vocabSize);
        int[] excluded = IntStream.of(neverGenerated).distinct().sorted().toArray();
        for (int id : eosTokenIds) {
            if (Arrays.binarySearch(excluded, id) >= 0) {
                throw new IllegalArgumentException("eos id " + id + " is also an id never generated");
            }
        }
        return new TokenSampler(options, vocabSize, eosTokenIds.clone(), excluded);
    }

    private static void checkIds(String what, int[] ids, int vocabSize) {
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException(what + " " + id + " outside the vocabulary [0, " + vocabSize + ")");
            }
        }
    }

    /** The seed in use: the requested one, or the random one drawn when the request had none (for logging). */
    public long seed() {
        return seed;
    }

    /** Whether {@code token} is one of the end-of-sequence ids given at creation. */
    public boolean isEndOfSequence(int token) {
        return isEos(token);
    }

    /** Whether this sampler decodes by argmax (see {@link GenerationOptions#greedy()}). */
    public boolean greedy() {
        return greedy;
    }

    /**
     * Chooses the next token from {@code row} and appends it to {@code history}.
     *
     * @throws InferenceException when every logit is negative infinity or NaN after masking (a broken model output)
     */
    public int next(LogitsRow row, TokenHistory history) {
        checkRow(row, history);
        boolean maskEos = history.generatedCount() < minNewTokens;
        int token;
        if (greedy) {
            token = argmax(row, history, maskEos);
        } else {
            int kept = filter(row, history, maskEos);
            token = kept == NONE ? NONE : draw(kept);
        }
        if (token < 0) {
            throw new InferenceException(
                    "no token can be chosen: every logit is -inf or NaN after masking (step " + history.generatedCount()
                            + ")",
                    null);
        }
        history.add(token);
        return token;
    }

    /**
     * The distribution {@link #next} would draw from (one-hot when greedy), without drawing or changing the history;
     * for tests against a reference computation.
     */
    double[] probabilities(LogitsRow row, TokenHistory history) {
        checkRow(row, history);
        boolean maskEos = history.generatedCount() < minNewTokens;
        double[] p = new double[vocabSize];
        if (greedy) {
            int token = argmax(row, history, maskEos);
            if (token >= 0) {
                p[token] = 1;
            }
            return p;
        }
        int kept = filter(row, history, maskEos);
        double total = 0;
        if (kept == WHOLE_VOCABULARY) {
            for (int i = 0; i < vocabSize; i++) {
                p[i] = scratch[i];
                total += scratch[i];
            }
        } else if (kept != NONE) {
            for (int j = 0; j < kept; j++) {
                p[ranking.tokenId(j)] = ranking.weight(j);
                total += ranking.weight(j);
            }
        }
        for (int i = 0; i < vocabSize; i++) {
            p[i] /= total;
        }
        return p;
    }

    private void checkRow(LogitsRow row, TokenHistory history) {
        if (history.vocabSize() != vocabSize) {
            throw new IllegalArgumentException(
                    "history is for a vocabulary of " + history.vocabSize() + ", the sampler expects " + vocabSize);
        }
        if (row.size() != vocabSize) {
            throw new IllegalArgumentException(
                    "logits row has " + row.size() + " entries, the sampler expects " + vocabSize);
        }
    }

    /** HF RepetitionPenaltyLogitsProcessor (CTRL): shrink toward 0 from either side; 0 counts as positive. */
    private float penalize(float logit) {
        return logit < 0 ? logit * penalty : logit / penalty;
    }

    private boolean isEos(int token) {
        for (int id : eosTokenIds) {
            if (id == token) {
                return true;
            }
        }
        return false;
    }

    /**
     * Greedy: argmax of the penalised, masked row, read in place; first index on ties, NaN never chosen.
     *
     * <p>With a penalty, only the history's ids change value, so the answer is the better of the best id outside the
     * history (unpenalised) and the history's ids (penalised, a few thousand at most). The first is the first
     * non-history id among the {@link #CANDIDATES} best unmasked ids, found in the same single scan; only when all
     * of those are in the history does a second scan skip the history ids. Ties go to the lower id.
     */
    private int argmax(LogitsRow row, TokenHistory history, boolean maskEos) {
        int[] masked = maskEos ? excludedAndEos : excluded;
        if (penalty == 1f) {
            return argmaxScan.argmax(row, masked, masked.length);
        }
        int found = argmaxScan.best(row, masked, masked.length, CANDIDATES);
        int best = -1;
        for (int r = 0; r < found && best < 0; r++) {
            int id = argmaxScan.rankedId(r);
            if (!history.contains(id)) {
                best = id;
            }
        }
        if (best < 0 && found == CANDIDATES) {
            int n = mergeSorted(masked, history.sortedDistinctIds(), history.distinctCount());
            best = argmaxScan.argmax(row, merged, n);
        }
        float bestValue = best < 0 ? Float.NEGATIVE_INFINITY : row.get(best);
        for (int j = 0, n = history.distinctCount(); j < n; j++) {
            int id = history.distinctId(j);
            if (Arrays.binarySearch(masked, id) >= 0) {
                continue;
            }
            float v = penalize(row.get(id));
            if (v > bestValue || (v == bestValue && id < best)) {
                bestValue = v;
                best = id;
            }
        }
        return best;
    }

    /** Merges two ascending id lists into {@link #merged}; returns the merged length (duplicates kept). */
    private int mergeSorted(int[] a, int[] b, int bLength) {
        int n = a.length + bLength;
        if (merged.length < n) {
            merged = new int[Math.max(n, merged.length * 2)];
        }
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < a.length && j < bLength) {
            merged[k++] = a[i] <= b[j] ? a[i++] : b[j++];
        }
        while (i < a.length) {
            merged[k++] = a[i++];
        }
        while (j < bLength) {
            merged[k++] = b[j++];
        }
        return n;
    }

    /**
     * Copies the row once into the scratch array, applies the processors, and leaves the candidates either in
     * {@link #ranking} (returns how many of them are kept, best first or in index order) or, when no filter is
     * active, as exp weights in the scratch array ({@link #WHOLE_VOCABULARY}).
     */
    private int filter(LogitsRow row, TokenHistory history, boolean maskEos) {
        if (scratch == null) {
            scratch = new float[vocabSize];
        }
        float[] s = scratch;
        row.copyTo(s, temperature, chunk);
        if (penalty != 1f) {
            for (int j = 0, n = history.distinctCount(); j < n; j++) {
                int id = history.distinctId(j);
                float v = penalize(row.get(id)) / temperature;
                s[id] = v == v ? v : Float.NEGATIVE_INFINITY;
            }
        }
        if (maskEos) {
            for (int id : eosTokenIds) {
                s[id] = Float.NEGATIVE_INFINITY;
            }
        }
        for (int id : excluded) {
            s[id] = Float.NEGATIVE_INFINITY;
        }
        if (topK > 0) {
            return filterTopK(s);
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocabSize; i++) {
            max = Math.max(max, s[i]);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            return NONE;
        }
        double logMinP = minP > 0 ? Math.log(minP) : Double.NEGATIVE_INFINITY;
        if (topP < 1) {
            return nucleus.select(s, vocabSize, max, -negligibleBelow, topP, logMinP, ranking);
        }
        if (minP > 0) {
            ranking.selectUpTo(s, vocabSize, Long.MAX_VALUE, max, logMinP);
            ranking.computeWeights(s, max, ranking.count());
            return ranking.count();
        }
        double total = 0; // summed here in index order, as the draw would: one pass fewer
        for (int i = 0; i < vocabSize; i++) {
            double d = (double) s[i] - max;
            float w = d < negligibleBelow ? 0f : (float) Math.exp(d);
            s[i] = w;
            total += w;
        }
        wholeVocabularyTotal = total;
        return WHOLE_VOCABULARY;
    }

    /**
     * HF TopKLogitsWarper: keep every value >= the k-th largest (ties included), then top-p and min-p. The row's
     * maximum is the best candidate, so no pass of its own finds it.
     */
    private int filterTopK(float[] s) {
        int k = Math.min(topK, vocabSize);
        ranking.selectTop(s, vocabSize, k);
        if (ranking.count() == 0) {
            return NONE;
        }
        if (ranking.count() == k) {
            ranking.selectAtLeast(s, vocabSize, s[ranking.tokenId(k - 1)]);
        }
        float max = s[ranking.tokenId(0)];
        int kept = ranking.count();
        double total = ranking.computeWeights(s, max, kept);
        if (topP < 1) {
            kept = nucleusCut(kept, total);
        }
        return minPCut(kept);
    }

    /**
     * Keeps ranked candidates while the mass ranked above them is below {@code topP} of the total: HF removes a token
     * when the ascending cumulative probability up to and including it is {@code <= 1 - top_p}, which is the same
     * condition.
     */
    private int nucleusCut(int selected, double total) {
        double target = topP * total;
        double above = 0;
        for (int j = 0; j < selected; j++) {
            if (above >= target) {
                return j;
            }
            above += ranking.weight(j);
        }
        return selected;
    }

    /** HF MinPLogitsWarper: drop tokens whose probability is below {@code minP} times the top one's. */
    private int minPCut(int kept) {
        if (minP <= 0) {
            return kept;
        }
        // weight(0) = exp(0) = 1 is the top token, so the condition is weight < minP; the top token always stays.
        for (int j = 1; j < kept; j++) {
            if (ranking.weight(j) < minP) {
                return j;
            }
        }
        return kept;
    }

    private int draw(int kept) {
        if (kept == WHOLE_VOCABULARY) {
            double u = random.nextDouble() * wholeVocabularyTotal;
            double cumulative = 0;
            int last = -1;
            for (int i = 0; i < vocabSize; i++) {
                float w = scratch[i];
                if (w > 0) {
                    cumulative += w;
                    last = i;
                    if (u < cumulative) {
                        return i;
                    }
                }
            }
            return last;
        }
        double total = 0;
        for (int j = 0; j < kept; j++) {
            total += ranking.weight(j);
        }
        double u = random.nextDouble() * total;
        double cumulative = 0;
        for (int j = 0; j < kept; j++) {
            cumulative += ranking.weight(j);
            if (u < cumulative) {
                return ranking.tokenId(j);
            }
        }
        return ranking.tokenId(kept - 1);
    }

    @Override
    public String toString() {
        return "TokenSampler[" + (greedy ? "greedy" : "sample") + ", vocab " + vocabSize + ", eos "
                + Arrays.toString(eosTokenIds) + ", " + excluded.length + " ids never generated, seed " + seed + "]";
    }
}
