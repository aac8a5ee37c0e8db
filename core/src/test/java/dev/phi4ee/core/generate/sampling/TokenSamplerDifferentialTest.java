package dev.phi4ee.core.generate.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.InferenceException;
import dev.phi4ee.core.api.TensorFloatType;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The fast paths of {@link TokenSampler} against {@link PreviousTokenSampler}, the implementation they replaced: the
 * same distribution bit for bit and the same seeded tokens, step after step, for every decoding configuration, on
 * random rows with ties, NaN, ±inf, signed zeros and fp16 rounding. Excluded ids are what the old sampler gives when
 * they are -inf in the row (how the exclusion is defined).
 */
class TokenSamplerDifferentialTest {
    private static final int[] EOS = {0, 1};

    @Test
    void everyConfigurationMatchesThePreviousSamplerBitForBit() {
        Random random = new Random(2024);
        for (int trial = 0; trial < 1200; trial++) {
            int vocab = trial % 100 == 0 ? 200_064 : 2 + random.nextInt(trial % 7 == 0 ? 5000 : 400);
            compare(random, vocab, options(random, trial, vocab), trial % 100 == 0 ? 2 : 6);
        }
    }

    @Test
    void greedyWithMaskAndPenaltyAgreesWhenTheRawWinnerIsMaskedOrInTheHistory() {
        // The cases that take the second scan: the unpenalised argmax is an EOS id, an excluded id, or a history id.
        Random random = new Random(8);
        for (int trial = 0; trial < 400; trial++) {
            int vocab = 3 + random.nextInt(3000);
            float[] values = ArgmaxScanTest.row(random, vocab, TensorFloatType.FLOAT32);
            int[] excluded = excludedIds(random, vocab);
            int[] prompt = random.ints(1 + random.nextInt(50), 0, vocab).toArray();
            int top =
                    switch (trial % 3) {
                        case 0 -> EOS[random.nextInt(2)] % vocab;
                        case 1 -> excluded.length > 0 ? excluded[random.nextInt(excluded.length)] : 2 % vocab;
                        default -> prompt[random.nextInt(prompt.length)];
                    };
            values[top] = 50f + random.nextInt(3);
            GenerationOptions options = GenerationOptions.builder()
                    .repetitionPenalty(random.nextBoolean() ? 1 : 0.5 + random.nextDouble() * 2)
                    .minNewTokens(random.nextInt(2))
                    .build();
            compareStep(options, vocab, values, excluded, prompt, TensorFloatType.FLOAT32);
        }
    }

    @Test
    void greedyPenaltyAgreesWhenTheBestIdsAreAllInTheHistory() {
        // Repetitive text: the 16+ best unpenalised ids were all seen, so the best unseen id needs the second scan.
        Random random = new Random(31);
        for (int trial = 0; trial < 300; trial++) {
            int vocab = 40 + random.nextInt(3000);
            TensorFloatType type = random.nextBoolean() ? TensorFloatType.FLOAT16 : TensorFloatType.FLOAT32;
            float[] values = ArgmaxScanTest.row(random, vocab, type);
            int[] best = ArgmaxScanTest.referenceBest(values, new int[0], 16 + random.nextInt(10));
            int[] prompt = IntStream.concat(Arrays.stream(best), random.ints(random.nextInt(30), 0, vocab))
                    .toArray();
            GenerationOptions options = GenerationOptions.builder()
                    .repetitionPenalty(0.5 + random.nextDouble() * 2)
                    .minNewTokens(random.nextInt(2))
                    .build();
            compareStep(options, vocab, values, excludedIds(random, vocab), prompt, type);
        }
    }

    @Test
    void topPOverWholePhi4SizedRowsMatchesThePreviousSamplerBitForBit() {
        // The nucleus passes (boundary bucket, kept set) on full rows: peaked (an LLM's usual row), near-flat (the
        // nucleus holds most of the vocabulary, the boundary bucket is crowded) and coarse (few distinct values, so
        // long runs of ties at the cut), with NaN and -inf sprinkled, in fp32 and fp16, at several temperatures.
        Random random = new Random(1515);
        int vocab = 200_064;
        for (int trial = 0; trial < 24; trial++) {
            String shape = new String[] {"peaked", "flat", "coarse"}[trial % 3];
            TensorFloatType type = trial % 2 == 0 ? TensorFloatType.FLOAT32 : TensorFloatType.FLOAT16;
            GenerationOptions.Builder b = GenerationOptions.builder()
                    .seed(random.nextLong())
                    .doSample(true)
                    .temperature(new double[] {0.3, 0.7, 1, 1.6}[random.nextInt(4)])
                    .topP(new double[] {0.2, 0.8, 0.9, 0.95, 0.999}[random.nextInt(5)]);
            if (trial % 4 == 3) {
                b.minP(random.nextDouble() * 0.2);
            }
            compare(random, vocab, b.build(), 2, type, () -> wholeRow(random, vocab, shape));
        }
    }

    private static float[] wholeRow(Random random, int vocab, String shape) {
        float[] v = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            v[i] = switch (shape) {
                case "flat" -> (float) (random.nextGaussian() * 0.05);
                case "coarse" -> random.nextInt(12) * 0.5f;
                default -> (float) (random.nextGaussian() * 3);
            };
        }
        if (shape.equals("peaked")) {
            for (int i = 0; i < 8; i++) {
                v[random.nextInt(vocab)] += 12 + i;
            }
        }
        for (int i = 0; i < 20; i++) {
            v[random.nextInt(vocab)] = i % 2 == 0 ? Float.NaN : Float.NEGATIVE_INFINITY;
        }
        return v;
    }

    private static GenerationOptions options(Random random, int trial, int vocab) {
        GenerationOptions.Builder b = GenerationOptions.builder().seed(random.nextLong());
        double penalty = random.nextInt(3) == 0 ? 1 : 0.4 + random.nextDouble() * 2;
        int minNew = random.nextInt(3) == 0 ? 0 : random.nextInt(4);
        b.repetitionPenalty(penalty).minNewTokens(minNew);
        switch (trial % 7) {
            case 0 -> {} // greedy
            case 1 -> b.doSample(true).temperature(0.2 + random.nextDouble() * 2);
            case 2 -> b.doSample(true).topK(1 + random.nextInt(Math.min(vocab + 2, 100)));
            case 3 -> b.doSample(true).topP(0.05 + random.nextDouble() * 0.94);
            case 4 -> b.doSample(true).minP(0.01 + random.nextDouble() * 0.9);
            case 5 -> b.doSample(true).topP(0.1 + random.nextDouble() * 0.9).minP(random.nextDouble() * 0.3);
            default ->
                b.doSample(true)
                        .temperature(0.3 + random.nextDouble() * 1.5)
                        .topK(random.nextInt(vocab + 1))
                        .topP(0.1 + random.nextDouble() * 0.9)
                        .minP(random.nextBoolean() ? 0 : random.nextDouble() * 0.5);
        }
        return b.build();
    }

    /** Several steps of both samplers on the same rows; distributions equal bit for bit, tokens equal. */
    private static void compare(Random random, int vocab, GenerationOptions options, int steps) {
        TensorFloatType type = random.nextBoolean() ? TensorFloatType.FLOAT16 : TensorFloatType.FLOAT32;
        compare(random, vocab, options, steps, type, () -> ArgmaxScanTest.row(random, vocab, type));
    }

    private static void compare(
            Random random,
            int vocab,
            GenerationOptions options,
            int steps,
            TensorFloatType type,
            java.util.function.Supplier<float[]> rows) {
        int[] excluded = excludedIds(random, vocab);
        int[] prompt = random.ints(random.nextInt(40), 0, vocab).toArray();
        TokenSampler fast = TokenSampler.create(options, vocab, eos(vocab), excluded);
        PreviousTokenSampler previous = PreviousTokenSampler.create(options, vocab, eos(vocab));
        TokenHistory fastHistory = new TokenHistory(vocab, prompt);
        TokenHistory previousHistory = new TokenHistory(vocab, prompt);
        for (int step = 0; step < steps; step++) {
            float[] values = rows.get();
            if (!options.greedy()) {
                // +inf makes every weight NaN (inf - inf): the sampler has no defined answer then, before or after.
                for (int i = 0; i < vocab; i++) {
                    values[i] = values[i] == Float.POSITIVE_INFINITY ? 88f : values[i];
                }
            }
            LogitsRow row = Rows.of(type, values);
            LogitsRow masked = Rows.of(type, withExcludedAtMinusInfinity(values, excluded));
            String what = options + " " + type + " vocab " + vocab + " step " + step;
            double[] expected;
            try {
                expected = previous.probabilities(masked, previousHistory);
            } catch (InferenceException e) {
                assertThatThrownBy(() -> fast.next(row, fastHistory)).as(what).isInstanceOf(InferenceException.class);
                return;
            }
            assertThat(Arrays.equals(fast.probabilities(row, fastHistory), expected))
                    .as("distribution, %s", what)
                    .isTrue();
            Object token = outcome(() -> fast.next(row, fastHistory));
            assertThat(token).as("token, %s", what).isEqualTo(outcome(() -> previous.next(masked, previousHistory)));
            if (!(token instanceof Integer)) {
                return;
            }
            assertThat(Arrays.binarySearch(excluded, (Integer) token))
                    .as("excluded token chosen")
                    .isNegative();
        }
    }

    private static void compareStep(
            GenerationOptions options, int vocab, float[] values, int[] excluded, int[] prompt, TensorFloatType type) {
        Object expected = outcome(() -> PreviousTokenSampler.create(options, vocab, eos(vocab))
                .next(Rows.of(type, withExcludedAtMinusInfinity(values, excluded)), new TokenHistory(vocab, prompt)));
        Object actual = outcome(() -> TokenSampler.create(options, vocab, eos(vocab), excluded)
                .next(Rows.of(type, values), new TokenHistory(vocab, prompt)));
        assertThat(actual).as("%s vocab %d", options, vocab).isEqualTo(expected);
    }

    /** The token, or the class of the typed failure (a row with nothing left after masking). */
    private static Object outcome(java.util.function.IntSupplier choice) {
        try {
            return choice.getAsInt();
        } catch (InferenceException e) {
            return e.getClass();
        }
    }

    private static int[] eos(int vocab) {
        return vocab > 2 ? EOS : new int[] {0};
    }

    /** Random ids to exclude (never an EOS id), sometimes none, sometimes runs at the top like Phi-4's. */
    private static int[] excludedIds(Random random, int vocab) {
        if (vocab < 4 || random.nextInt(4) == 0) {
            return new int[0];
        }
        return Arrays.stream(ArgmaxScanTest.excluded(random, vocab))
                .filter(id -> id > 1 && id < vocab)
                .toArray();
    }

    private static float[] withExcludedAtMinusInfinity(float[] values, int[] excluded) {
        float[] v = values.clone();
        for (int id : excluded) {
            v[id] = Float.NEGATIVE_INFINITY;
        }
        return v;
    }
}
