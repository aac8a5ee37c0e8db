package dev.phi4ee.core.testkit;

import dev.phi4ee.core.testkit.OrtTestSession.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The plainest possible reference decoder of a kit model: no KV cache at all. Every call feeds the whole sequence
 * through the embedding and text graphs with empty pasts and a mask of its length (which picks the LongRoPE factors,
 * reference §4.4) — what Hugging Face computes after dropping its cache. It shares no code with the engine (its own
 * ONNX Runtime sessions through {@link OrtTestSession}, no prefill, no slot pool, no batch step), so a bug in those
 * cannot hide in the reference.
 *
 * <p>Logits at position i of such a pass depend only on ids 0…i and on the pass's length (causal attention). So one
 * pass over a finished sequence of length n gives, at row L − 1, exactly what a fresh full recompute of its first L
 * ids would give — for every L on the same side of the LongRoPE switch as n. A test therefore needs one pass per
 * side instead of one per step; {@link #lastRow} is the literal per-step recompute, to check that equivalence.
 */
public final class FullRecomputeDecoder implements AutoCloseable {
    private final TestModelSpec spec;
    private final OrtTestSession text;
    private final OrtTestSession embedding;
    private final boolean fp16;

    public FullRecomputeDecoder(Path modelDir, TestModelSpec spec) {
        this.spec = spec;
        this.fp16 = spec.floatType() == TestModelSpec.FloatType.FP16;
        this.text = new OrtTestSession(modelDir.resolve(Phi4TestModels.TEXT_FILE));
        this.embedding = new OrtTestSession(modelDir.resolve(Phi4TestModels.EMBEDDING_FILE));
    }

    public static int vocab() {
        return Phi4Ids.VOCAB_SIZE;
    }

    /** Logits {@code [ids.length × vocab]}, row-major, of one cache-free pass over {@code ids}. */
    public float[] pass(long[] ids) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        Map<String, Tensor> e = new LinkedHashMap<>();
        e.put("input_ids", Tensor.i64(ids, 1, ids.length));
        e.put("image_features", Tensor.floats(fp16, new float[0], 0, spec.hidden()));
        e.put("audio_features", Tensor.floats(fp16, new float[0], 0, spec.hidden()));
        in.put("inputs_embeds", embedding.run(e).get("inputs_embeds"));
        long[] mask = new long[ids.length];
        Arrays.fill(mask, 1);
        in.put("attention_mask", Tensor.i64(mask, 1, ids.length));
        for (int i = 0; i < spec.layers(); i++) {
            Tensor empty = Tensor.floats(fp16, new float[0], 1, spec.kvHeads(), 0, spec.headSize());
            in.put("past_key_values." + i + ".key", empty);
            in.put("past_key_values." + i + ".value", empty);
        }
        return text.run(in).get("logits").floats();
    }

    /** The next-token logits after {@code ids}, recomputed from scratch. */
    public float[] lastRow(long[] ids) {
        float[] all = pass(ids);
        return Arrays.copyOfRange(all, (ids.length - 1) * vocab(), ids.length * vocab());
    }

    @Override
    public void close() {
        text.close();
        embedding.close();
    }
}
