package dev.phi4ee.core.testkit;

import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16;

import dev.phi4ee.core.testkit.OrtTestSession.NativeTensor;
import dev.phi4ee.core.testkit.OrtTestSession.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test driver of a kit model's embedding + text graphs the way onnxruntime-genai drives the release (reference §4):
 * greedy decoding with a growing cache or with one shared past/present buffer per tensor.
 */
final class DecoderRunner implements AutoCloseable {
    final TestModelSpec spec;
    final OrtTestSession text;
    final OrtTestSession embedding;
    private final boolean fp16;
    /** Extra text-graph inputs fed on every run (e.g. LoRA weights). */
    final Map<String, Tensor> extraInputs = new LinkedHashMap<>();

    DecoderRunner(Path modelDir, TestModelSpec spec) {
        this.spec = spec;
        this.fp16 = spec.floatType() == TestModelSpec.FloatType.FP16;
        this.text = new OrtTestSession(modelDir.resolve(Phi4TestModels.TEXT_FILE));
        this.embedding = new OrtTestSession(modelDir.resolve(Phi4TestModels.EMBEDDING_FILE));
    }

    Tensor embed(long... ids) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("input_ids", Tensor.i64(ids, 1, ids.length));
        in.put("image_features", Tensor.floats(fp16, new float[0], 0, spec.hidden()));
        in.put("audio_features", Tensor.floats(fp16, new float[0], 0, spec.hidden()));
        return embedding.run(in).get("inputs_embeds");
    }

    static Tensor ones(int n) {
        long[] mask = new long[n];
        Arrays.fill(mask, 1);
        return Tensor.i64(mask, 1, n);
    }

    Tensor emptyPast() {
        return Tensor.floats(fp16, new float[0], 1, spec.kvHeads(), 0, spec.headSize());
    }

    /** One pass without cache over {@code ids}: logits [1, n, vocab]. */
    Tensor fullPass(long[] ids) {
        Map<String, Tensor> in = new LinkedHashMap<>(extraInputs);
        in.put("inputs_embeds", embed(ids));
        in.put("attention_mask", ones(ids.length));
        for (int i = 0; i < spec.layers(); i++) {
            in.put("past_key_values." + i + ".key", emptyPast());
            in.put("past_key_values." + i + ".value", emptyPast());
        }
        return text.run(in).get("logits");
    }

    static float[] row(Tensor logits, int position) {
        int vocab = Phi4Ids.VOCAB_SIZE;
        return Arrays.copyOfRange(logits.floats(), position * vocab, (position + 1) * vocab);
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

    /** Greedy decoding, present → past each step; returns the last-position logits of each step. */
    List<float[]> growing(long[] prompt, int steps, List<Long> tokensOut) {
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
            in.putAll(extraInputs);
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
    List<float[]> shared(long[] prompt, int steps, int maxLength, List<Long> tokensOut) {
        List<float[]> logits = new ArrayList<>();
        List<NativeTensor> buffers = new ArrayList<>();
        try {
            Map<String, NativeTensor> bound = new LinkedHashMap<>();
            for (int i = 0; i < spec.layers(); i++) {
                for (String kind : new String[] {"key", "value"}) {
                    NativeTensor t = NativeTensor.zeros(
                            fp16 ? ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 : ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT,
                            fp16 ? 2 : 4,
                            1,
                            spec.kvHeads(),
                            maxLength,
                            spec.headSize());
                    buffers.add(t);
                    bound.put("past_key_values." + i + "." + kind, t);
                }
            }
            long[] ids = prompt;
            int total = 0;
            for (int step = 0; step < steps; step++) {
                total += ids.length;
                Map<String, Tensor> in = new LinkedHashMap<>(extraInputs);
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

    @Override
    public void close() {
        text.close();
        embedding.close();
    }
}
