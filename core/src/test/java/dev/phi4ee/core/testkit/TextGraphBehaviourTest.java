package dev.phi4ee.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;

import dev.phi4ee.core.testkit.OrtTestSession.NativeTensor;
import dev.phi4ee.core.testkit.OrtTestSession.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The text graph behaves like the release's where the engine depends on it (reference §4.3, §4.4, §5.1). */
class TextGraphBehaviourTest {
    @TempDir
    static Path tmp;

    static TestModelSpec spec = TestModelSpec.defaults();
    static OrtTestSession text;
    static OrtTestSession embedding;

    @BeforeAll
    static void open() {
        Path dir = Phi4TestModels.write(tmp.resolve("fp32"), spec);
        text = new OrtTestSession(dir.resolve(Phi4TestModels.TEXT_FILE));
        embedding = new OrtTestSession(dir.resolve(Phi4TestModels.EMBEDDING_FILE));
    }

    @AfterAll
    static void close() {
        text.close();
        embedding.close();
    }

    static Tensor embed(long... ids) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("input_ids", Tensor.i64(ids, 1, ids.length));
        in.put("image_features", Tensor.f32(new float[0], 0, spec.hidden()));
        in.put("audio_features", Tensor.f32(new float[0], 0, spec.hidden()));
        return embedding.run(in).get("inputs_embeds");
    }

    static Tensor ones(int n) {
        long[] mask = new long[n];
        java.util.Arrays.fill(mask, 1);
        return Tensor.i64(mask, 1, n);
    }

    /** Full pass without cache over {@code ids}: logits [1, n, vocab]. */
    static Tensor fullPass(long[] ids) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("inputs_embeds", embed(ids));
        in.put("attention_mask", ones(ids.length));
        for (int i = 0; i < spec.layers(); i++) {
            in.put("past_key_values." + i + ".key", emptyPast());
            in.put("past_key_values." + i + ".value", emptyPast());
        }
        return text.run(in).get("logits");
    }

    static Tensor emptyPast() {
        return Tensor.f32(new float[0], 1, spec.kvHeads(), 0, spec.headSize());
    }

    static float[] row(Tensor logits, int position) {
        int vocab = Phi4Ids.VOCAB_SIZE;
        float[] r = new float[vocab];
        System.arraycopy(logits.floats(), position * vocab, r, 0, vocab);
        return r;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** Greedy decoding with a growing cache (past → present each step); returns the last-position logits per step. */
    static List<float[]> growing(long[] prompt, int steps, List<Long> tokensOut) {
        List<float[]> logits = new ArrayList<>();
        Map<String, Tensor> past = new LinkedHashMap<>();
        for (int i = 0; i < spec.layers(); i++) {
            past.put("past_key_values." + i + ".key", emptyPast());
            past.put("past_key_values." + i + ".value", emptyPast());
        }
        long[] ids = prompt;
        int total = 0;
        for (int step = 0; step < steps; step++) {
            total += ids.length;
            Map<String, Tensor> in = new LinkedHashMap<>(past);
            in.put("inputs_embeds", embed(ids));
            in.put("attention_mask", ones(total));
            Map<String, Tensor> out = text.run(in);
            float[] last = row(out.get("logits"), ids.length - 1);
            logits.add(last);
            for (int i = 0; i < spec.layers(); i++) {
                past.put("past_key_values." + i + ".key", out.get("present." + i + ".key"));
                past.put("past_key_values." + i + ".value", out.get("present." + i + ".value"));
            }
            long next = argmax(last);
            tokensOut.add(next);
            ids = new long[] {next};
        }
        return logits;
    }

    /** The same with one [1, kv, maxLength, head] buffer per tensor bound as past input and present output. */
    static List<float[]> shared(long[] prompt, int steps, int maxLength, List<Long> tokensOut) {
        List<float[]> logits = new ArrayList<>();
        List<NativeTensor> buffers = new ArrayList<>();
        try {
            Map<String, NativeTensor> bound = new LinkedHashMap<>();
            for (int i = 0; i < spec.layers(); i++) {
                for (String kind : new String[] {"key", "value"}) {
                    NativeTensor t = NativeTensor.zeros(
                            ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, 4, 1, spec.kvHeads(), maxLength, spec.headSize());
                    buffers.add(t);
                    bound.put("past_key_values." + i + "." + kind, t);
                }
            }
            long[] ids = prompt;
            int total = 0;
            for (int step = 0; step < steps; step++) {
                total += ids.length;
                Map<String, Tensor> in = new LinkedHashMap<>();
                in.put("inputs_embeds", embed(ids));
                in.put("attention_mask", ones(total));
                Map<String, Tensor> out = text.runShared(
                        in, bound, name -> name.replace("past_key_values.", "present."), List.of("logits"));
                float[] last = row(out.get("logits"), ids.length - 1);
                logits.add(last);
                long next = argmax(last);
                tokensOut.add(next);
                ids = new long[] {next};
            }
        } finally {
            buffers.forEach(NativeTensor::close);
        }
        return logits;
    }

    @Test
    void sharedBufferRunEqualsGrowingRun() {
        long[] prompt = {200_022, 9_906, 11, 1_917, 382, 200_020, 200_019};
        List<Long> growingTokens = new ArrayList<>();
        List<Long> sharedTokens = new ArrayList<>();
        List<float[]> a = growing(prompt, 6, growingTokens);
        List<float[]> b = shared(prompt, 6, 128, sharedTokens);
        assertThat(sharedTokens).isEqualTo(growingTokens);
        for (int i = 0; i < a.size(); i++) {
            assertThat(maxAbsDiff(a.get(i), b.get(i))).as("step %d", i).isLessThan(1e-4);
        }
    }

    @Test
    void incrementalDecodingMatchesFullRecompute() {
        long[] prompt = {3_923, 374, 264, 1_296, 13};
        List<Long> tokens = new ArrayList<>();
        List<float[]> steps = growing(prompt, 4, tokens);
        long[] all = new long[prompt.length + 3];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        for (int i = 0; i < 3; i++) {
            all[prompt.length + i] = tokens.get(i);
        }
        Tensor full = fullPass(all);
        assertThat(maxAbsDiff(steps.get(3), row(full, all.length - 1))).isLessThan(1e-3);
    }

    @Test
    void longRopeSwitchesWhenMaskWidthExceedsOriginalMaxPositions() {
        int threshold = spec.originalMaxPositionEmbeddings();
        long[] ids = new long[threshold + 1];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 1_000 + 37L * i;
        }
        Tensor atThreshold = fullPass(java.util.Arrays.copyOf(ids, threshold)); // short factors
        Tensor below = fullPass(java.util.Arrays.copyOf(ids, threshold - 1)); // short factors
        Tensor above = fullPass(ids); // long factors
        int position = threshold - 2;
        // Causal attention: positions before the end see the same tokens, so only the cache choice can differ.
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
            growing(prompt, 8, tokens);
            continuations.add(tokens);
            allTokens.addAll(tokens);
            assertThat(tokens.get(0)).isNotIn(199_999L, 200_020L);
        }
        assertThat(continuations).hasSize(prompts.length);
        assertThat(allTokens.size()).isGreaterThan(8);
    }
}
