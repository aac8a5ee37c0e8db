package dev.phi4ee.core.generate.sampling;

import dev.phi4ee.core.api.GenerationOptions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A deliberately naive re-statement of Hugging Face's logits processors and warpers (full sorts, full softmaxes,
 * written from their documented semantics), to check the optimised {@link TokenSampler} against.
 */
final class ReferenceProcessors {
    private ReferenceProcessors() {}

    /** The distribution HF would sample from (one-hot for greedy). */
    static double[] distribution(
            float[] logits, Set<Integer> history, int generated, int[] eos, GenerationOptions options) {
        int n = logits.length;
        float[] s = logits.clone();
        float penalty = (float) options.repetitionPenalty();
        for (int id : history) { // RepetitionPenaltyLogitsProcessor
            s[id] = s[id] < 0 ? s[id] * penalty : s[id] / penalty;
        }
        if (generated < options.minNewTokens()) { // MinNewTokensLengthLogitsProcessor
            for (int id : eos) {
                s[id] = Float.NEGATIVE_INFINITY;
            }
        }
        if (options.greedy()) {
            double[] p = new double[n];
            int best = 0;
            for (int i = 1; i < n; i++) {
                if (s[i] > s[best]) {
                    best = i;
                }
            }
            p[best] = 1;
            return p;
        }
        float temperature = (float) options.temperature();
        for (int i = 0; i < n; i++) { // TemperatureLogitsWarper
            s[i] = s[i] / temperature;
        }
        if (options.topK() > 0) { // TopKLogitsWarper: remove values < the k-th largest
            float[] sorted = s.clone();
            Arrays.sort(sorted);
            float kth = sorted[n - Math.min(options.topK(), n)];
            for (int i = 0; i < n; i++) {
                if (s[i] < kth) {
                    s[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        if (options.topP() < 1) { // TopPLogitsWarper: ascending sort, remove cumulative <= 1 - top_p, keep the last
            double[] p = softmax(s);
            Integer[] ascending = IntStream.range(0, n).boxed().toArray(Integer[]::new);
            Arrays.sort(
                    ascending, Comparator.<Integer>comparingDouble(i -> s[i]).thenComparing(i -> -i));
            double cumulative = 0;
            for (int r = 0; r < n - 1; r++) {
                cumulative += p[ascending[r]];
                if (cumulative <= 1 - options.topP()) {
                    s[ascending[r]] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        if (options.minP() > 0) { // MinPLogitsWarper: remove probs < min_p * max prob
            double[] p = softmax(s);
            double top = Arrays.stream(p).max().orElseThrow();
            for (int i = 0; i < n; i++) {
                if (p[i] < options.minP() * top) {
                    s[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        return softmax(s);
    }

    static double[] softmax(float[] s) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : s) {
            max = Math.max(max, v);
        }
        double[] p = new double[s.length];
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            p[i] = Math.exp(s[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < s.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
