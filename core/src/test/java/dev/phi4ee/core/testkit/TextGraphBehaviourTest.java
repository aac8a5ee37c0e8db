package dev.phi4ee.core.testkit;

import static dev.phi4ee.core.testkit.DecoderRunner.argmax;
import static dev.phi4ee.core.testkit.DecoderRunner.maxAbsDiff;
import static dev.phi4ee.core.testkit.DecoderRunner.row;
import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.testkit.OrtTestSession.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The text graph behaves like the release's where the engine depends on it (reference §4.3, §4.4). */
class TextGraphBehaviourTest {
    static final TestModelSpec SPEC = TestModelSpec.defaults();
    static DecoderRunner model;

    @BeforeAll
    static void open() {
        model = new DecoderRunner(Phi4TestModels.shared(SPEC), SPEC);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void sharedBufferRunEqualsGrowingRun() {
        long[] prompt = {200_022, 9_906, 11, 1_917, 382, 200_020, 200_019};
        List<Long> growingTokens = new ArrayList<>();
        List<Long> sharedTokens = new ArrayList<>();
        List<float[]> a = model.growing(prompt, 6, growingTokens);
        List<float[]> b = model.shared(prompt, 6, 128, sharedTokens);
        assertThat(sharedTokens).isEqualTo(growingTokens);
        for (int i = 0; i < a.size(); i++) {
            assertThat(maxAbsDiff(a.get(i), b.get(i))).as("step %d", i).isLessThan(1e-4);
        }
    }

    @Test
    void incrementalDecodingMatchesFullRecompute() {
        long[] prompt = {3_923, 374, 264, 1_296, 13};
        List<Long> tokens = new ArrayList<>();
        List<float[]> steps = model.growing(prompt, 4, tokens);
        long[] all = new long[prompt.length + 3];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        for (int i = 0; i < 3; i++) {
            all[prompt.length + i] = tokens.get(i);
        }
        Tensor full = model.fullPass(all);
        assertThat(maxAbsDiff(steps.get(3), row(full, all.length - 1))).isLessThan(1e-3);
    }

    @Test
    void longRopeSwitchesWhenMaskWidthExceedsOriginalMaxPositions() {
        int threshold = SPEC.originalMaxPositionEmbeddings();
        long[] ids = new long[threshold + 1];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 1_000 + 37L * i;
        }
        Tensor atThreshold = model.fullPass(Arrays.copyOf(ids, threshold)); // short factors
        Tensor below = model.fullPass(Arrays.copyOf(ids, threshold - 1)); // short factors
        Tensor above = model.fullPass(ids); // long factors
        int position = threshold - 2;
        // Causal attention: earlier positions see the same tokens, so only the cache choice can differ.
        assertThat(maxAbsDiff(row(below, position), row(atThreshold, position))).isLessThan(1e-4);
        assertThat(maxAbsDiff(row(atThreshold, position), row(above, position))).isGreaterThan(1e-2);
    }

    @Test
    void greedyContinuationsDependOnThePrompt() {
        Set<List<Long>> continuations = new HashSet<>();
        Set<Long> allTokens = new HashSet<>();
        long[][] prompts = {{9_906, 11, 1_917}, {3_923, 374, 264}, {40, 1_093, 5_825}, {200_022, 15_339}};
        for (long[] prompt : prompts) {
            List<Long> tokens = new ArrayList<>();
            List<float[]> logits = model.growing(prompt, 8, tokens);
            continuations.add(tokens);
            allTokens.addAll(tokens);
            assertThat(argmax(logits.get(0))).isNotIn(Phi4Ids.ENDOFTEXT, Phi4Ids.END);
        }
        assertThat(continuations).hasSize(prompts.length);
        assertThat(allTokens.size()).isGreaterThan(8);
    }
}
