package dev.phi4ee.core.generate.sampling;

import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.InferenceException;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The token sampler as it was before the fast paths (commit 3d34b11), kept verbatim as the oracle of
 * {@code TokenSamplerDifferentialTest}: the optimised {@link TokenSampler} must give bit-identical distributions and
 * tokens. Only its row access changed: it reads values one by one through {@link LogitsRow#get}, as it did in place.
 */
final class PreviousTokenSampler {
    /**
     * When the whole vocabulary is weighed (no top-k), tokens more than {@code ln(vocab) + 28} below the maximum logit
     * get weight 0: together they weigh less than e^-28 (about 7e-13) of the total, far below the float32 resolution
     * of the reference implementation, and the bound keeps the top-p histogram on the range that carries mass.
     */
    private static final double NEGLIGIBLE_MARGIN = 28;

    private final int vocabSize;
    private final int[] eosTokenIds;
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
    private final PreviousCandidateRanking ranking = new PreviousCandidateRanking();
    private final PreviousNucleusSelection nucleus = new PreviousNucleusSelection();

    /** Result of {@link #filter}: no candidate is left. */
    private static final int NONE = -1;
    /** Result of {@link #filter}: the whole vocabulary is a candidate, its weights are in {@link #scratch}. */
    private static final int WHOLE_VOCABULARY = -2;

    private PreviousTokenSampler(GenerationOptions options, int vocabSize, int[] eosTokenIds) {
        this.vocabSize = vocabSize;
        this.eosTokenIds = eosTokenIds;
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
    public static PreviousTokenSampler create(GenerationOptions options, int vocabSize, int... eosTokenIds) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabSize must be >= 1, was " + vocabSize);
        }
        for (int id : eosTokenIds) {
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException("eos id " + id + " outside the vocabulary [0, " + vocabSize + ")");
            }
        }
        return new PreviousTokenSampler(options, vocabSize, eosTokenIds.clone());
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

    /** Greedy: argmax of the penalised, masked row, read in place; first index on ties. */
    private int argmax(LogitsRow row, TokenHistory history, boolean maskEos) {
        boolean penalizing = penalty != 1f;
        if (!penalizing && !maskEos) {
            return scalarArgmax(row);
        }
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocabSize; i++) {
            if ((penalizing && history.contains(i)) || (maskEos && isEos(i))) {
                continue;
            }
            float v = row.get(i);
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        if (penalizing) {
            for (int j = 0, n = history.distinctCount(); j < n; j++) {
                int id = history.distinctId(j);
                if (maskEos && isEos(id)) {
                    continue;
                }
                float v = penalize(row.get(id));
                if (v > bestValue || (v == bestValue && id < best)) {
                    bestValue = v;
                    best = id;
                }
            }
        }
        return best;
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
        copy(row, s, temperature);
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
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocabSize; i++) {
            max = Math.max(max, s[i]);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            return NONE;
        }
        if (topK > 0) {
            return filterTopK(s, max);
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
        for (int i = 0; i < vocabSize; i++) {
            double d = (double) s[i] - max;
            s[i] = d < negligibleBelow ? 0f : (float) Math.exp(d);
        }
        return WHOLE_VOCABULARY;
    }

    /** HF TopKLogitsWarper: keep every value >= the k-th largest (ties included), then top-p and min-p. */
    private int filterTopK(float[] s, float max) {
        int k = Math.min(topK, vocabSize);
        ranking.selectTop(s, vocabSize, k);
        if (ranking.count() == k) {
            ranking.selectAtLeast(s, vocabSize, s[ranking.tokenId(k - 1)]);
        }
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

    private static void copy(LogitsRow row, float[] dst, float divisor) {
        for (int i = 0; i < row.size(); i++) {
            float v = row.get(i) / divisor;
            dst[i] = v == v ? v : Float.NEGATIVE_INFINITY;
        }
    }

    private static int scalarArgmax(LogitsRow row) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < row.size(); i++) {
            float v = row.get(i);
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }

    private int draw(int kept) {
        if (kept == WHOLE_VOCABULARY) {
            double total = 0;
            for (int i = 0; i < vocabSize; i++) {
                total += scratch[i];
            }
            double u = random.nextDouble() * total;
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
        return "PreviousTokenSampler[" + (greedy ? "greedy" : "sample") + ", vocab " + vocabSize + ", eos "
                + Arrays.toString(eosTokenIds) + ", seed " + seed + "]";
    }
}
