package dev.phi4ee.core.generate;

/** Picks the next token from a logits row; may keep state across the steps of one request. */
@FunctionalInterface
public interface TokenChooser {
    /**
     * @param logits the last position's logits (may be modified in place)
     * @param generated tokens generated so far in this request
     */
    int choose(float[] logits, int generated);

    /** Plain argmax; ties go to the lowest id (as {@code torch.argmax}). */
    static int argmax(float[] logits) {
        int best = 0;
        float bestValue = logits[0];
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > bestValue) {
                bestValue = logits[i];
                best = i;
            }
        }
        return best;
    }
}
