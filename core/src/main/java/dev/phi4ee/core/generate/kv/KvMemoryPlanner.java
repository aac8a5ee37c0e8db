package dev.phi4ee.core.generate.kv;

import static dev.phi4ee.core.api.KvCachePlan.formatBytes;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.InsufficientMemoryException;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.api.KvCachePlan;

/**
 * Chooses the context window and the concurrent slots of the KV cache from a {@link MemoryBudget}
 * (docs/decisions/runtime-kv-memory-plan.md). Pure: the same inputs give the same plan.
 *
 * <ul>
 *   <li>{@code maxLength} set: that window; as many slots as fit, at most {@code maxBatchSize}; an error when not even
 *       one request fits.
 *   <li>otherwise: {@code maxBatchSize} slots with the largest window the budget holds (a multiple of 1024, at most
 *       the config's {@code max_length}); when that window falls below {@link #USEFUL_WINDOW}, fewer slots, so each
 *       keeps a useful window; an error below {@link #MIN_WINDOW} for a single slot.
 *   <li>growing cache: one request at a time whose peak holds past and present of a full window.
 * </ul>
 */
public final class KvMemoryPlanner {
    /** Window worth more than extra slots: a multi-crop image or minutes of audio plus a long answer. */
    public static final int USEFUL_WINDOW = 8192;

    /** Smallest window an automatic plan opens with: a short chat. */
    public static final int MIN_WINDOW = 1024;

    /** Automatic windows below the config's {@code max_length} are multiples of this. */
    static final int WINDOW_STEP = 1024;

    private KvMemoryPlanner() {}

    /**
     * @param configMaxLength {@code search.max_length}: the largest automatic window
     * @param contextLength {@code model.context_length}: the largest explicit {@code maxLength}
     * @param memory {@code host} or {@code cuda:N}
     * @throws IllegalArgumentException when {@code maxLength} exceeds {@code contextLength}
     * @throws InsufficientMemoryException when the options ask for more than the budget holds
     */
    public static KvCachePlan plan(
            KvGeometry geometry,
            int configMaxLength,
            int contextLength,
            KvCacheMode mode,
            String memory,
            EngineOptions options,
            MemoryBudget budget) {
        boolean growing = mode == KvCacheMode.GROWING;
        long perToken = geometry.bytesPerToken();
        long perSlotToken = growing ? 2 * perToken : perToken; // growing: past and present live during a step
        int maxSlots = growing ? 1 : options.maxBatchSize();
        int window;
        int slots;
        if (options.maxLength() > 0) {
            if (options.maxLength() > contextLength) {
                throw new IllegalArgumentException(
                        "maxLength " + options.maxLength() + " exceeds the model's context_length " + contextLength);
            }
            window = options.maxLength();
            long perRequest = window * perSlotToken;
            long fit = budget.bytes() / perRequest;
            if (fit < 1) {
                throw new InsufficientMemoryException(
                        "maxLength " + window + " needs " + formatBytes(perRequest) + " of KV cache for one request ("
                                + formatBytes(perToken) + " per token" + (growing ? ", past and present" : "")
                                + ") but the KV budget is " + formatBytes(budget.bytes()) + " (" + budget.source()
                                + "); lower maxLength or raise " + budget.utilizationOption()
                                + (budget.utilizationOption().equals("kvCacheBytes") ? "" : " or set kvCacheBytes"),
                        perRequest,
                        budget.bytes());
            }
            slots = (int) Math.min(maxSlots, fit);
        } else {
            slots = maxSlots;
            window = windowFor(budget.bytes(), slots, perSlotToken, configMaxLength);
            int useful = Math.min(USEFUL_WINDOW, configMaxLength);
            if (window < useful && slots > 1) {
                slots = (int) Math.max(1, Math.min(maxSlots, budget.bytes() / (useful * perSlotToken)));
                window = windowFor(budget.bytes(), slots, perSlotToken, configMaxLength);
            }
            int min = Math.min(MIN_WINDOW, configMaxLength);
            if (window < min) {
                throw new InsufficientMemoryException(
                        "the KV budget " + formatBytes(budget.bytes()) + " (" + budget.source() + ") holds "
                                + budget.bytes() / perSlotToken + " tokens at " + formatBytes(perToken)
                                + " per token, less than the smallest automatic window of " + min + " tokens; raise "
                                + budget.utilizationOption()
                                + (budget.utilizationOption().equals("kvCacheBytes") ? "" : " or set kvCacheBytes")
                                + ", or set a smaller maxLength",
                        min * perSlotToken,
                        budget.bytes());
            }
        }
        long total = growing ? window * perSlotToken : (long) slots * window * perToken;
        return new KvCachePlan(
                growing ? KvCacheMode.GROWING : KvCacheMode.SHARED_BUFFER,
                memory,
                perToken,
                window,
                slots,
                total,
                budget.bytes(),
                budget.source());
    }

    /** The largest window {@code slots} requests get from {@code budget}: the cap, else a multiple of the step. */
    private static int windowFor(long budget, int slots, long perSlotToken, int cap) {
        long tokens = budget / (slots * perSlotToken);
        if (tokens >= cap) {
            return cap;
        }
        return (int) (tokens >= WINDOW_STEP ? tokens - tokens % WINDOW_STEP : tokens);
    }

    /**
     * How to get a window larger than {@code plan}'s, for {@code ContextLengthExceededException}: option names, or
     * that the model allows none.
     */
    public static String howToGrow(KvCachePlan plan, int contextLength) {
        if (plan.window() >= contextLength) {
            return "that is the model's context_length";
        }
        return "for a larger window (up to the model's context_length " + contextLength + ") set maxLength with a KV"
                + " budget that holds it (kvCacheBytes, gpuMemoryUtilization, hostMemoryUtilization) or a lower"
                + " maxBatchSize";
    }
}
