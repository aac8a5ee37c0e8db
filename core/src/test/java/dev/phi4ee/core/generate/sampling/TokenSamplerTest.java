package dev.phi4ee.core.generate.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.InferenceException;
import dev.phi4ee.core.api.TensorFloatType;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TokenSamplerTest {
    private static final int EOS_A = 0;
    private static final int EOS_B = 1;
    /** Below this a probability counts as removed: the sampler may drop tokens weighing under e^-28 of the total. */
    private static final double NEGLIGIBLE = 1e-12;

    private static GenerationOptions.Builder sampling() {
        return GenerationOptions.builder().doSample(true).seed(42L);
    }

    @ParameterizedTest
    @EnumSource(TensorFloatType.class)
    void greedyIsTheArgmaxOfTheRow(TensorFloatType type) {
        Random random = new Random(3);
        TokenSampler sampler = TokenSampler.create(GenerationOptions.defaults(), 5000, EOS_A);
        TokenHistory history = new TokenHistory(5000, new int[] {7, 8});
        for (int step = 0; step < 50; step++) {
            float[] logits = gaussian(random, 5000, 6);
            float[] held = type == TensorFloatType.FLOAT16 ? Rows.roundedToHalf(logits) : logits;
            int expected = argmax(held);
            assertThat(sampler.next(Rows.of(type, logits), history)).isEqualTo(expected);
            assertThat(history.get(history.size() - 1)).isEqualTo(expected);
        }
        assertThat(history.generatedCount()).isEqualTo(50);
    }

    @Test
    void greedyWhenTemperatureIsZeroOrTopKIsOne() {
        float[] logits = {0f, 0f, 1f, 3f, 2.9f};
        for (GenerationOptions options : new GenerationOptions[] {
            sampling().temperature(0).build(), sampling().topK(1).build()
        }) {
            TokenSampler sampler = TokenSampler.create(options, 5, EOS_A);
            assertThat(sampler.greedy()).isTrue();
            for (int i = 0; i < 20; i++) {
                assertThat(sampler.next(Rows.of(logits), new TokenHistory(5, new int[0])))
                        .isEqualTo(3);
            }
        }
    }

    @Test
    void greedyAppliesTheRepetitionPenaltyToBothSigns() {
        // 5 is the raw argmax but was seen; penalty 2 halves it to 2.5 so 3 (2.6) wins. A negative seen logit gets
        // more negative, never better.
        float[] logits = {-9f, -9f, -1f, 2.6f, -0.5f, 5f};
        GenerationOptions options =
                GenerationOptions.builder().repetitionPenalty(2).build();
        TokenSampler sampler = TokenSampler.create(options, 6, EOS_A);
        assertThat(sampler.next(Rows.of(logits), new TokenHistory(6, new int[] {5, 4})))
                .isEqualTo(3);
        // A penalty below 1 boosts seen tokens: 2.6 / 0.5 = 5.2 beats the unseen 5.
        GenerationOptions boost =
                GenerationOptions.builder().repetitionPenalty(0.5).build();
        assertThat(TokenSampler.create(boost, 6, EOS_A).next(Rows.of(logits), new TokenHistory(6, new int[] {3})))
                .isEqualTo(3);
    }

    @Test
    void greedyMatchesTheReferenceWithPenaltyAndMasking() {
        Random random = new Random(11);
        for (int trial = 0; trial < 300; trial++) {
            int vocab = 3 + random.nextInt(60);
            GenerationOptions options = GenerationOptions.builder()
                    .repetitionPenalty(0.3 + random.nextDouble() * 2)
                    .minNewTokens(random.nextInt(3))
                    .build();
            checkAgainstReference(random, vocab, options, 0);
        }
    }

    @Test
    void eachProcessorMatchesTheReferenceComputation() {
        Random random = new Random(5);
        for (int trial = 0; trial < 2000; trial++) {
            int vocab = 3 + random.nextInt(trial % 10 == 0 ? 3000 : 80);
            GenerationOptions.Builder b = sampling();
            switch (trial % 6) {
                case 0 -> b.temperature(0.2 + random.nextDouble() * 2);
                case 1 -> b.topK(1 + random.nextInt(vocab + 2));
                case 2 -> b.topP(0.05 + random.nextDouble() * 0.94);
                case 3 -> b.minP(0.01 + random.nextDouble() * 0.9);
                case 4 -> b.repetitionPenalty(0.5 + random.nextDouble() * 2).minNewTokens(1);
                default ->
                    b.temperature(0.3 + random.nextDouble() * 1.5)
                            .topK(random.nextInt(vocab + 1))
                            .topP(0.1 + random.nextDouble() * 0.9)
                            .minP(random.nextBoolean() ? 0 : random.nextDouble() * 0.5)
                            .repetitionPenalty(0.8 + random.nextDouble())
                            .minNewTokens(random.nextInt(2));
            }
            checkAgainstReference(random, vocab, b.build(), 2.5 + random.nextDouble() * 4);
        }
    }

    @Test
    void rowsFullOfTiesMatchTheReference() {
        // Logits from a handful of values: ties at every threshold (top-k's k-th value, top-p's boundary, a single
        // histogram bucket holding everything).
        Random random = new Random(23);
        for (int trial = 0; trial < 600; trial++) {
            int vocab = 3 + random.nextInt(200);
            float[] logits = new float[vocab];
            int levels = 1 + random.nextInt(4);
            for (int i = 0; i < vocab; i++) {
                logits[i] = random.nextInt(levels) * 0.75f;
            }
            GenerationOptions options = sampling()
                    .topK(random.nextBoolean() ? 0 : 2 + random.nextInt(vocab))
                    .topP(random.nextBoolean() ? 1 : 0.05 + random.nextDouble() * 0.9)
                    .minP(random.nextBoolean() ? 0 : random.nextDouble() * 0.9)
                    .build();
            double[] expected = ReferenceProcessors.distribution(logits, Set.of(), 0, new int[] {EOS_A}, options);
            double[] actual = TokenSampler.create(options, vocab, EOS_A)
                    .probabilities(Rows.of(logits), new TokenHistory(vocab, new int[0]));
            assertThat(kept(actual)).as("kept tokens for %s", options).containsExactly(kept(expected));
            assertClose(actual, expected);
        }
    }

    @Test
    void topKKeepsEveryTokenTiedWithTheKthValue() {
        float[] logits = {1f, 4f, 2f, 3f, 3f, 3f, 0f};
        TokenSampler sampler = TokenSampler.create(sampling().topK(2).build(), 7, EOS_A);
        double[] p = sampler.probabilities(Rows.of(logits), new TokenHistory(7, new int[0]));
        assertThat(kept(p)).containsExactly(1, 3, 4, 5);
    }

    @Test
    void topPKeepsAtLeastTheTopTokenAndHandlesFlatRows() {
        TokenSampler tiny = TokenSampler.create(sampling().topP(0.01).build(), 4, EOS_A);
        assertThat(kept(tiny.probabilities(Rows.of(1f, 2f, 3f, 2.5f), new TokenHistory(4, new int[0]))))
                .containsExactly(2);
        // A nearly flat row of 20000 tokens: the nucleus of 0.9 holds ~18000 tokens spread over many buckets.
        Random random = new Random(9);
        float[] flat = gaussian(random, 20000, 0.01);
        GenerationOptions options = sampling().topP(0.9).build();
        double[] expected = ReferenceProcessors.distribution(flat, Set.of(), 0, new int[] {EOS_A}, options);
        double[] actual = TokenSampler.create(options, flat.length, EOS_A)
                .probabilities(Rows.of(flat), new TokenHistory(flat.length, new int[0]));
        assertThat(kept(actual)).hasSizeGreaterThan(17000).containsExactly(kept(expected));
        assertClose(actual, expected);
    }

    @Test
    void minNewTokensMasksEveryEosIdUntilReached() {
        float[] logits = {9f, 8.5f, 1f, 0.5f}; // both eos ids dominate
        for (GenerationOptions.Builder b : new GenerationOptions.Builder[] {
            GenerationOptions.builder(), sampling().temperature(0.5)
        }) {
            TokenSampler sampler = TokenSampler.create(b.minNewTokens(3).build(), 4, EOS_A, EOS_B);
            TokenHistory history = new TokenHistory(4, new int[] {2, 3, 2});
            for (int step = 0; step < 3; step++) {
                assertThat(sampler.next(Rows.of(logits), history)).isIn(2, 3);
            }
            int last = sampler.next(Rows.of(logits), history);
            assertThat(last).isIn(EOS_A, EOS_B);
            assertThat(sampler.isEndOfSequence(last)).isTrue();
            assertThat(sampler.isEndOfSequence(2)).isFalse();
        }
    }

    @Test
    void samplesFollowTheFilteredDistribution() {
        // 12 tokens, top-k 8 then top-p 0.9 then min-p 0.05: the reference says which survive and with what
        // probability; 40000 seeded draws must fit it (chi-square well below the 0.999 quantile) and never pick a
        // removed token.
        float[] logits = {2.0f, 1.5f, 1.4f, 0.2f, -1f, 3.1f, 0.9f, 0.8f, 2.2f, -3f, 0.1f, 1.0f};
        GenerationOptions options = sampling()
                .temperature(0.8)
                .topK(8)
                .topP(0.9)
                .minP(0.05)
                .seed(1234L)
                .build();
        double[] expected = ReferenceProcessors.distribution(logits, Set.of(), 0, new int[] {EOS_A}, options);
        TokenSampler sampler = TokenSampler.create(options, logits.length, EOS_A);
        int draws = 40000;
        int[] counts = new int[logits.length];
        LogitsRow row = Rows.of(logits);
        for (int i = 0; i < draws; i++) {
            counts[sampler.next(row, new TokenHistory(logits.length, new int[0]))]++;
        }
        double chiSquare = 0;
        int categories = 0;
        for (int t = 0; t < logits.length; t++) {
            if (expected[t] <= NEGLIGIBLE) {
                assertThat(counts[t]).as("draws of removed token %d", t).isZero();
            } else {
                double e = expected[t] * draws;
                chiSquare += (counts[t] - e) * (counts[t] - e) / e;
                categories++;
            }
        }
        assertThat(categories).isBetween(3, 7);
        // 0.999 quantile of chi-square with <= 6 degrees of freedom is 22.46.
        assertThat(chiSquare).isLessThan(22.46);
    }

    @Test
    void unfilteredSamplingOverTheWholeVocabularyFitsTheSoftmax() {
        float[] logits = {0.5f, -0.2f, 1.0f, 0.0f, 0.3f};
        GenerationOptions options = sampling().seed(99L).build();
        double[] expected = ReferenceProcessors.softmax(logits);
        TokenSampler sampler = TokenSampler.create(options, logits.length, EOS_A);
        int draws = 50000;
        int[] counts = new int[logits.length];
        for (int i = 0; i < draws; i++) {
            counts[sampler.next(Rows.of(logits), new TokenHistory(logits.length, new int[0]))]++;
        }
        double chiSquare = 0;
        for (int t = 0; t < logits.length; t++) {
            double e = expected[t] * draws;
            chiSquare += (counts[t] - e) * (counts[t] - e) / e;
        }
        assertThat(chiSquare).isLessThan(18.47); // 0.999 quantile, 4 degrees of freedom
    }

    @Test
    void theSameSeedGivesTheSameTokensAndAnotherSeedOthers() {
        GenerationOptions options =
                sampling().temperature(1.3).topP(0.95).seed(2024L).build();
        int[] a = run(options, 300);
        int[] b = run(options, 300);
        int[] c = run(options.toBuilder().seed(2025L).build(), 300);
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
        TokenSampler unseeded1 =
                TokenSampler.create(options.toBuilder().seed(null).build(), 10, EOS_A);
        TokenSampler unseeded2 =
                TokenSampler.create(options.toBuilder().seed(null).build(), 10, EOS_A);
        assertThat(unseeded1.seed()).isNotEqualTo(unseeded2.seed());
        assertThat(TokenSampler.create(options, 10, EOS_A).seed()).isEqualTo(2024L);
    }

    @Test
    void theSeededStreamIsPinned() {
        // Pins the generator and the draw, so a seed keeps giving the same text across releases and JDKs.
        assertThat(new SplitMix64(0).nextLong()).isEqualTo(0xE220A8397B1DCDAFL);
        assertThat(run(sampling().seed(7L).build(), 12)).containsExactly(pinnedSeven());
    }

    @Test
    void rejectsRowsOfAnotherSizeAndRowsWithoutAnyCandidate() {
        TokenSampler sampler = TokenSampler.create(sampling().build(), 3, EOS_A);
        assertThatThrownBy(() -> sampler.next(Rows.of(1f, 2f), new TokenHistory(3, new int[0])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expects 3");
        float[] dead = {Float.NaN, Float.NEGATIVE_INFINITY, Float.NaN};
        assertThatThrownBy(() -> sampler.next(Rows.of(dead), new TokenHistory(3, new int[0])))
                .isInstanceOf(InferenceException.class)
                .hasMessageContaining("-inf or NaN");
        TokenSampler greedy = TokenSampler.create(GenerationOptions.defaults(), 3, EOS_A);
        assertThatThrownBy(() -> greedy.next(Rows.of(dead), new TokenHistory(3, new int[0])))
                .isInstanceOf(InferenceException.class);
        assertThatThrownBy(() -> TokenSampler.create(GenerationOptions.defaults(), 3, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static int[] pinnedSeven() {
        return new int[] {3, 0, 9, 4, 3, 4, 3, 2, 1, 2, 0, 9};
    }

    /** Sampling over 10 tokens with a row that depends on the step only. */
    private static int[] run(GenerationOptions options, int steps) {
        TokenSampler sampler = TokenSampler.create(options, 10, EOS_A);
        TokenHistory history = new TokenHistory(10, new int[] {1});
        Random rows = new Random(77);
        int[] out = new int[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = sampler.next(Rows.of(gaussian(rows, 10, 1)), history);
        }
        return out;
    }

    private static void checkAgainstReference(Random random, int vocab, GenerationOptions options, double scale) {
        float[] logits = gaussian(random, vocab, scale == 0 ? 3 : scale);
        int[] prompt = random.ints(random.nextInt(6), 0, vocab).toArray();
        TokenHistory history = new TokenHistory(vocab, prompt);
        int generated = random.nextInt(3);
        for (int i = 0; i < generated; i++) {
            history.add(random.nextInt(vocab));
        }
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < history.size(); i++) {
            seen.add(history.get(i));
        }
        int[] eos = {EOS_A, EOS_B % vocab};
        TensorFloatType type = random.nextBoolean() ? TensorFloatType.FLOAT16 : TensorFloatType.FLOAT32;
        float[] held = type == TensorFloatType.FLOAT16 ? Rows.roundedToHalf(logits) : logits;
        double[] expected = ReferenceProcessors.distribution(held, seen, history.generatedCount(), eos, options);
        double[] actual = TokenSampler.create(options, vocab, eos).probabilities(Rows.of(type, logits), history);
        assertThat(kept(actual)).as("kept tokens for %s", options).containsExactly(kept(expected));
        assertClose(actual, expected);
    }

    private static void assertClose(double[] actual, double[] expected) {
        int worst = 0;
        for (int i = 1; i < expected.length; i++) {
            if (Math.abs(actual[i] - expected[i]) > Math.abs(actual[worst] - expected[worst])) {
                worst = i;
            }
        }
        assertThat(actual[worst]).as("p[%d]", worst).isCloseTo(expected[worst], within(1e-6));
    }

    private static int[] kept(double[] p) {
        return java.util.stream.IntStream.range(0, p.length)
                .filter(i -> p[i] > NEGLIGIBLE)
                .toArray();
    }

    private static float[] gaussian(Random random, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * scale);
        }
        return v;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
