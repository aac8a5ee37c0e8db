package dev.phi4ee.benchmarks;

import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;
import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_LOGGING_LEVEL_ERROR;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtArenaAllocator;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtMemTypeDefault;

import dev.phi4ee.core.api.TensorFloatType;
import dev.phi4ee.core.generate.sampling.LogitsRow;
import dev.phi4ee.core.model.DecoderConfig;
import dev.phi4ee.core.model.EmbeddingConfig;
import dev.phi4ee.core.model.GenaiConfig;
import dev.phi4ee.core.model.ModelDirectory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.onnxruntime.Env;
import org.bytedeco.onnxruntime.IoBinding;
import org.bytedeco.onnxruntime.MemoryInfo;
import org.bytedeco.onnxruntime.OrtApi;
import org.bytedeco.onnxruntime.OrtIoBinding;
import org.bytedeco.onnxruntime.OrtStatus;
import org.bytedeco.onnxruntime.RunOptions;
import org.bytedeco.onnxruntime.Session;
import org.bytedeco.onnxruntime.SessionOptions;
import org.bytedeco.onnxruntime.Value;

/**
 * The engine's work written directly on the JavaCPP ONNX Runtime API, for a float32 kit model: {@code B} requests
 * prefilled one at a time into slots of one shared KV buffer per tensor ({@code [maxBatch, kv, maxLength, head]},
 * the engine's layout), then decoded together, one embedding run and one decoder run per step over the first B slots
 * with a {@code [B, W]} mask. No scheduler, no threads, no text; the token choice is whatever the caller passes.
 *
 * <p>Logits layout (issue 15's B = 1 gap, decision record engine-whole-request-costs.md, fourth round): by default one
 * buffer of {@code max(maxBatch, maxPrompt)} rows serves prompt and steps. {@code -DrawLayout=engine} uses the engine's
 * buffers instead: a prompt run writes a separate {@code [maxPrompt, vocab]} buffer ({@code PromptLogits}), its last
 * row is copied into the slot's own one-row buffer (a {@code DecodingSession}'s step logits, one per slot) and the
 * steps decode into a separate {@code [maxBatch, vocab]} buffer ({@code BatchDecodeStep}'s). {@code -DrawBuffers=direct}
 * allocates those logits buffers as the engine does (zero-filled direct byte buffers, so all of them resident) rather
 * than with JavaCPP's {@code malloc} (with the engine layout only).
 */
final class RawBatchLoop implements AutoCloseable {
    /** Chooses row {@code row}'s next token from its logits. */
    interface Choice {
        int next(int row, LogitsRow logits);
    }

    private static final int FLOAT = ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
    private static final int INT64 = ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;

    private final OrtApi api = org.bytedeco.onnxruntime.global.onnxruntime.GetApi();
    private final List<Pointer> owned = new ArrayList<>();
    /** Tensors over regions of the buffers made for one call of {@link #run}, closed at its end. */
    private final List<Value> views = new ArrayList<>();

    private final MemoryInfo cpu = MemoryInfo.CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
    private final Env env = new Env(ORT_LOGGING_LEVEL_ERROR, "raw-batch");
    private final SessionOptions options = new SessionOptions();
    private final RunOptions runOptions = new RunOptions();
    private final Session embedding;
    private final Session decoder;
    private final IoBinding embeddingBinding;
    private final IoBinding decoderBinding;
    private final OrtIoBinding embed;
    private final OrtIoBinding decode;
    private final DecoderConfig dc;
    private final EmbeddingConfig ec;
    private final int vocab;
    private final int hidden;
    private final int maxBatch;
    private final int maxLength;
    private final long slotElements;
    private final LongPointer ids;
    private final LongPointer ones;
    private final FloatPointer embeds;
    /** Default layout: prompt and step logits; engine layout: the steps' {@code [maxBatch, vocab]} buffer. */
    private final FloatPointer logits;

    private final ByteBuffer logitsBytes;
    /** Engine layout only (else null): the prompt runs' logits and each slot's one-row copy of its last row. */
    private final FloatPointer promptLogits;

    private final ByteBuffer promptBytes;
    private final ByteBuffer[] slotLogits;
    /** The engine's host buffers are kept reachable here ({@code -DrawBuffers=direct}). */
    private final List<ByteBuffer> direct = new ArrayList<>();

    private final boolean directBuffers = "direct".equals(System.getProperty("rawBuffers"));
    /** Time inside the decoder's ONNX Runtime runs, all calls (the embedding runs are not counted). */
    private long decoderNanos;

    private final FloatPointer[] keys;
    private final FloatPointer[] values;
    private final FloatPointer empty;

    RawBatchLoop(ModelDirectory md, int maxBatch, int maxLength, int maxPrompt) {
        this(md, maxBatch, maxLength, maxPrompt, "engine".equals(System.getProperty("rawLayout")));
    }

    RawBatchLoop(ModelDirectory md, int maxBatch, int maxLength, int maxPrompt, boolean engineLayout) {
        GenaiConfig c = md.config();
        this.dc = c.decoder();
        this.ec = c.embedding();
        this.vocab = c.vocabSize();
        this.hidden = dc.hiddenSize();
        this.maxBatch = maxBatch;
        this.maxLength = maxLength;
        options.SetIntraOpNumThreads(1);
        options.SetInterOpNumThreads(1);
        options.SetGraphOptimizationLevel(99);
        embedding = new Session(env, new BytePointer(md.embeddingFile().toString()), options);
        decoder = new Session(env, new BytePointer(md.decoderFile().toString()), options);
        embeddingBinding = new IoBinding(embedding);
        decoderBinding = new IoBinding(decoder);
        embed = embeddingBinding.asOrtIoBinding();
        decode = decoderBinding.asOrtIoBinding();
        int rows = Math.max(maxBatch, maxPrompt);
        ids = keep(new LongPointer(rows));
        ones = keep(new LongPointer((long) maxBatch * maxLength));
        for (long i = 0; i < (long) maxBatch * maxLength; i++) {
            ones.put(i, 1L);
        }
        embeds = keep(new FloatPointer((long) rows * hidden));
        if (engineLayout) {
            logitsBytes = floats((long) maxBatch * vocab);
            logits = new FloatPointer(logitsBytes.asFloatBuffer());
            promptBytes = floats((long) maxPrompt * vocab);
            promptLogits = new FloatPointer(promptBytes.asFloatBuffer());
            slotLogits = new ByteBuffer[maxBatch];
            for (int slot = 0; slot < maxBatch; slot++) {
                slotLogits[slot] = floats(vocab);
            }
        } else {
            logits = keep(new FloatPointer((long) rows * vocab));
            logitsBytes = logits.asByteBuffer().order(ByteOrder.nativeOrder());
            promptLogits = null;
            promptBytes = null;
            slotLogits = null;
        }
        empty = keep(new FloatPointer(1));
        slotElements = (long) dc.numKeyValueHeads() * maxLength * dc.headSize();
        keys = new FloatPointer[dc.numHiddenLayers()];
        values = new FloatPointer[dc.numHiddenLayers()];
        for (int layer = 0; layer < keys.length; layer++) {
            keys[layer] = keep(new FloatPointer(maxBatch * slotElements));
            values[layer] = keep(new FloatPointer(maxBatch * slotElements));
        }
        bind(embed, true, ec.imageFeatures(), keep(tensor(empty, 0, FLOAT, 0, hidden)));
        bind(embed, true, ec.audioFeatures(), keep(tensor(empty, 0, FLOAT, 0, hidden)));
        views.clear(); // those two live as long as the loop
    }

    /** Layouts and allocation in effect, for the probe's header. */
    String layout() {
        return (promptLogits == null ? "raw layout (one logits buffer)" : "engine layout (prompt, slot, step logits)")
                + (promptLogits != null && directBuffers ? ", zeroed direct buffers" : ", malloc buffers");
    }

    /** Nanoseconds spent in decoder runs since this loop was made. */
    long decoderNanos() {
        return decoderNanos;
    }

    /**
     * Runs {@code prompts.length} requests to {@code newTokens} tokens each; returns the tokens, one row per request.
     * Every row runs every step (the benchmark's requests all generate {@code newTokens}).
     */
    int[][] run(long[][] prompts, int newTokens, Choice choice) {
        try {
            return decode(prompts, newTokens, choice);
        } finally {
            views.forEach(Value::close);
            views.clear();
        }
    }

    private int[][] decode(long[][] prompts, int newTokens, Choice choice) {
        int batch = prompts.length;
        if (batch > maxBatch) {
            throw new IllegalArgumentException(batch + " requests, " + maxBatch + " slots");
        }
        int[][] out = new int[batch][newTokens];
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            long[] p = prompts[b];
            lengths[b] = p.length;
            out[b][0] = choice.next(b, prefill(b, p));
        }
        // Decode: bindings of the first `batch` slots, made once per call; the mask is rebuilt per step.
        bindSlots(0, batch);
        bind(embed, true, ec.inputIds(), tensor(ids, 8L * batch, INT64, batch, 1));
        Value stepEmbeds = tensor(embeds, 4L * batch * hidden, FLOAT, batch, 1, hidden);
        bind(embed, false, ec.inputsEmbeds(), stepEmbeds);
        bind(decode, true, dc.inputsEmbeds(), stepEmbeds);
        bind(decode, false, dc.logits(), tensor(logits, 4L * batch * vocab, FLOAT, batch, 1, vocab));
        for (int step = 1; step < newTokens; step++) {
            int width = 0;
            for (int b = 0; b < batch; b++) {
                ids.put(b, out[b][step - 1]);
                width = Math.max(width, ++lengths[b]);
            }
            run(embedding, embed);
            // The benchmark's prompts have one length, so every row of the mask is all ones.
            try (Value mask = Value.CreateTensor(
                    cpu.asOrtMemoryInfo(), ones, 8L * batch * width, new long[] {batch, width}, 2, INT64)) {
                bind(decode, true, dc.attentionMask(), mask);
                run(decoder, decode);
            }
            for (int b = 0; b < batch; b++) {
                out[b][step] = choice.next(b, LogitsRow.of(logitsBytes, TensorFloatType.FLOAT32, b * vocab, vocab));
            }
        }
        return out;
    }

    /** Batch-1 prompt run in slot {@code slot}; returns the last position's logits. */
    private LogitsRow prefill(int slot, long[] prompt) {
        int n = prompt.length;
        for (int i = 0; i < n; i++) {
            ids.put(i, prompt[i]);
        }
        bind(embed, true, ec.inputIds(), tensor(ids, 8L * n, INT64, 1, n));
        Value promptEmbeds = tensor(embeds, 4L * n * hidden, FLOAT, 1, n, hidden);
        bind(embed, false, ec.inputsEmbeds(), promptEmbeds);
        run(embedding, embed);
        bindSlots(slot, 1);
        try (Value mask = Value.CreateTensor(cpu.asOrtMemoryInfo(), ones, 8L * n, new long[] {1, n}, 2, INT64)) {
            bind(decode, true, dc.inputsEmbeds(), promptEmbeds);
            bind(decode, true, dc.attentionMask(), mask);
            FloatPointer out = promptLogits != null ? promptLogits : logits;
            bind(decode, false, dc.logits(), tensor(out, 4L * n * vocab, FLOAT, 1, n, vocab));
            run(decoder, decode);
        }
        if (promptLogits == null) {
            return LogitsRow.of(logitsBytes, TensorFloatType.FLOAT32, (n - 1) * vocab, vocab);
        }
        ByteBuffer own = slotLogits[slot].clear(); // the engine's Placement.lastPosition: one row, host to host
        own.put(promptBytes.slice((n - 1) * vocab * 4, vocab * 4));
        return LogitsRow.of(own, TensorFloatType.FLOAT32, 0, vocab);
    }

    /** {@code count} floats: JavaCPP {@code malloc} memory, or (-DrawBuffers=direct) a zeroed direct buffer. */
    private ByteBuffer floats(long count) {
        if (directBuffers) {
            ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(4 * count)).order(ByteOrder.nativeOrder());
            direct.add(b);
            return b;
        }
        return keep(new FloatPointer(count)).asByteBuffer().order(ByteOrder.nativeOrder());
    }

    private void bindSlots(int first, int count) {
        long[] shape = {count, dc.numKeyValueHeads(), maxLength, dc.headSize()};
        for (int layer = 0; layer < keys.length; layer++) {
            Value k = tensor(keys[layer].getPointer(first * slotElements), 4 * count * slotElements, FLOAT, shape);
            Value v = tensor(values[layer].getPointer(first * slotElements), 4 * count * slotElements, FLOAT, shape);
            bind(decode, true, dc.pastKeyName(layer), k);
            bind(decode, true, dc.pastValueName(layer), v);
            bind(decode, false, dc.presentKeyName(layer), k);
            bind(decode, false, dc.presentValueName(layer), v);
        }
    }

    private <P extends Pointer> P keep(P p) {
        owned.add(p);
        return p;
    }

    private Value tensor(Pointer data, long bytes, int type, long... shape) {
        Value v = Value.CreateTensor(cpu.asOrtMemoryInfo(), data, bytes, shape, shape.length, type);
        views.add(v);
        return v;
    }

    private void bind(OrtIoBinding b, boolean input, String name, Value v) {
        check(input ? api.BindInput(b, name, v.asOrtValue()) : api.BindOutput(b, name, v.asOrtValue()));
    }

    private void run(Session session, OrtIoBinding binding) {
        long t0 = System.nanoTime();
        check(api.RunWithBinding(session.asOrtSession(), runOptions.asOrtRunOptions(), binding));
        if (session == decoder) {
            decoderNanos += System.nanoTime() - t0;
        }
    }

    private void check(OrtStatus s) {
        if (s != null && !s.isNull()) {
            String m = api.GetErrorMessage().call(s).getString();
            api.ReleaseStatus(s);
            throw new IllegalStateException(m);
        }
    }

    @Override
    public void close() {
        decoderBinding.close();
        embeddingBinding.close();
        decoder.close();
        embedding.close();
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        runOptions.close();
        options.close();
    }
}
