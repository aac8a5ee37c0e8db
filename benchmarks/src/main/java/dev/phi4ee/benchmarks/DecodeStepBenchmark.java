package dev.phi4ee.benchmarks;

import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;
import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_LOGGING_LEVEL_ERROR;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtArenaAllocator;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtMemTypeDefault;

import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.TensorFloatType;
import dev.phi4ee.core.generate.DecodingSession;
import dev.phi4ee.core.generate.LastLogits;
import dev.phi4ee.core.generate.Phi4Graphs;
import dev.phi4ee.core.generate.sampling.LogitsRow;
import dev.phi4ee.core.generate.sampling.TokenHistory;
import dev.phi4ee.core.generate.sampling.TokenSampler;
import dev.phi4ee.core.model.DecoderConfig;
import dev.phi4ee.core.model.GenaiConfig;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.SessionSettings;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One decode step at a fixed context on the demo model (fp32, shared past/present buffer, one intra-op thread):
 * the engine's step ({@link DecodingSession#next}, greedy choice by the engine's sampler reading the logits in place)
 * against a minimal raw ONNX Runtime loop written directly on the JavaCPP API with the same model files and the same
 * buffers (embedding run, attention-mask tensor of the new length, decoder run, argmax over the logits). Both rewind
 * to the same context after each step, so every invocation is a step at {@code context}. Report the engine/raw ratio
 * and the step time at 1024 vs 64, from one run.
 *
 * <p>The LongRoPE re-run is disabled here (it is a one-off per request, not a step cost).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DecodeStepBenchmark {
    @Param({"64", "1024"})
    public int context;

    /**
     * Length of the shared past/present buffer, the same at every context, so a difference in step time comes from
     * the valid length GQA attends over, not from the buffer size (issue: "whether step cost grows with context").
     */
    static final int BUFFER = 4096;

    private Path dir;
    private Phi4Graphs graphs;
    private DecodingSession session;
    private TokenSampler sampler;
    private TokenHistory history;
    private long token;
    private RawLoop raw;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("phi4-bench-");
        Phi4TestModels.write(dir, TestModelSpec.builder().maxLength(BUFFER).build());
        ModelDirectory md = ModelDirectory.open(dir);
        graphs = Phi4Graphs.open(md, SessionSettings.cpu(1));
        session = new DecodingSession(graphs, true, BUFFER, Integer.MAX_VALUE);
        long[] prompt = new long[context];
        SplittableRandom r = new SplittableRandom(1);
        int[] promptInts = new int[context];
        for (int i = 0; i < context; i++) {
            prompt[i] = 1000 + r.nextInt(100_000);
            promptInts[i] = (int) prompt[i];
        }
        LastLogits l = session.prefill(prompt, null, null);
        token = l.argmax();
        sampler = TokenSampler.create(GenerationOptions.defaults(), l.vocab(), 200020, 199999);
        history = new TokenHistory(l.vocab(), promptInts);
        raw = new RawLoop(md, context, prompt);
    }

    @Benchmark
    public int engineStep() {
        LastLogits l = session.next(token);
        TensorFloatType t = TensorFloatType.FLOAT32;
        int next = sampler.next(LogitsRow.of(l.buffer(), t, l.elementOffset(), l.vocab()), history);
        session.rewindTo(context);
        return next;
    }

    /** The engine's graph runs alone (no token choice): separates run overhead from logit-processing cost. */
    @Benchmark
    public int engineRunsOnly() {
        LastLogits l = session.next(token);
        session.rewindTo(context);
        return l.elementOffset();
    }

    @Benchmark
    public int rawOrtStep() {
        return raw.step(token);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        raw.close();
        session.close();
        graphs.close();
    }

    /** The baseline: the same two graphs driven with nothing but JavaCPP calls. */
    static final class RawLoop implements AutoCloseable {
        private final OrtApi api = org.bytedeco.onnxruntime.global.onnxruntime.GetApi();
        private final List<Pointer> owned = new ArrayList<>();
        private final MemoryInfo cpu = MemoryInfo.CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
        private final Env env = new Env(ORT_LOGGING_LEVEL_ERROR, "raw-baseline");
        private final SessionOptions options = new SessionOptions();
        private final Session embedding;
        private final Session decoder;
        private final IoBinding embeddingBinding;
        private final IoBinding decoderBinding;
        private final OrtIoBinding rawEmbeddingBinding;
        private final OrtIoBinding rawDecoderBinding;
        private final RunOptions runOptions = new RunOptions();
        private final LongPointer ids = new LongPointer(1);
        private final LongPointer ones;
        private final FloatPointer logits;
        private final FloatBuffer logitsView;
        private final int vocab;
        private final int context;
        private final String maskName;

        RawLoop(ModelDirectory md, int context, long[] prompt) {
            this.context = context;
            GenaiConfig c = md.config();
            DecoderConfig d = c.decoder();
            vocab = c.vocabSize();
            maskName = d.attentionMask();
            options.SetIntraOpNumThreads(1);
            options.SetInterOpNumThreads(1);
            options.SetGraphOptimizationLevel(99);
            embedding = new Session(env, new BytePointer(md.embeddingFile().toString()), options);
            decoder = new Session(env, new BytePointer(md.decoderFile().toString()), options);
            embeddingBinding = new IoBinding(embedding);
            decoderBinding = new IoBinding(decoder);
            rawEmbeddingBinding = embeddingBinding.asOrtIoBinding();
            rawDecoderBinding = decoderBinding.asOrtIoBinding();
            int h = d.hiddenSize();
            FloatPointer empty = keep(new FloatPointer(1));
            FloatPointer embeds = keep(new FloatPointer(h));
            logits = keep(new FloatPointer(vocab));
            logitsView = logits.asBuffer();
            ones = keep(new LongPointer(context + 8));
            for (int i = 0; i < context + 8; i++) {
                ones.put(i, 1L);
            }
            bind(rawEmbeddingBinding, true, c.embedding().inputIds(), tensor(ids, 8, INT64, 1, 1));
            bind(rawEmbeddingBinding, true, c.embedding().imageFeatures(), tensor(empty, 0, FLOAT, 0, h));
            bind(rawEmbeddingBinding, true, c.embedding().audioFeatures(), tensor(empty, 0, FLOAT, 0, h));
            Value embedsValue = tensor(embeds, 4L * h, FLOAT, 1, 1, h);
            bind(rawEmbeddingBinding, false, c.embedding().inputsEmbeds(), embedsValue);
            bind(rawDecoderBinding, true, d.inputsEmbeds(), embedsValue);
            bind(rawDecoderBinding, false, d.logits(), tensor(logits, 4L * vocab, FLOAT, 1, 1, vocab));
            long kvElements = (long) d.numKeyValueHeads() * BUFFER * d.headSize();
            for (int layer = 0; layer < d.numHiddenLayers(); layer++) {
                Value k = tensor(
                        keep(new FloatPointer(kvElements)),
                        4 * kvElements,
                        FLOAT,
                        1,
                        d.numKeyValueHeads(),
                        BUFFER,
                        d.headSize());
                Value v = tensor(
                        keep(new FloatPointer(kvElements)),
                        4 * kvElements,
                        FLOAT,
                        1,
                        d.numKeyValueHeads(),
                        BUFFER,
                        d.headSize());
                bind(rawDecoderBinding, true, d.pastKeyName(layer), k);
                bind(rawDecoderBinding, true, d.pastValueName(layer), v);
                bind(rawDecoderBinding, false, d.presentKeyName(layer), k);
                bind(rawDecoderBinding, false, d.presentValueName(layer), v);
            }
            // Fill the cache with the prompt, one token at a time (the raw loop has no prefill of its own).
            for (int i = 0; i < context; i++) {
                stepAt(prompt[i], i);
            }
        }

        private static final int FLOAT = ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
        private static final int INT64 = ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;

        private <P extends Pointer> P keep(P p) {
            owned.add(p);
            return p;
        }

        private Value tensor(Pointer data, long bytes, int type, long... shape) {
            return keep(Value.CreateTensor(cpu.asOrtMemoryInfo(), data, bytes, shape, shape.length, type));
        }

        private void bind(OrtIoBinding b, boolean input, String name, Value v) {
            check(input ? api.BindInput(b, name, v.asOrtValue()) : api.BindOutput(b, name, v.asOrtValue()));
        }

        private void check(OrtStatus s) {
            if (s != null && !s.isNull()) {
                String m = api.GetErrorMessage().call(s).getString();
                api.ReleaseStatus(s);
                throw new IllegalStateException(m);
            }
        }

        int step(long token) {
            return stepAt(token, context);
        }

        private int stepAt(long token, int past) {
            ids.put(0, token);
            check(api.RunWithBinding(embedding.asOrtSession(), runOptions.asOrtRunOptions(), rawEmbeddingBinding));
            try (Value mask = Value.CreateTensor(
                    cpu.asOrtMemoryInfo(), ones, 8L * (past + 1), new long[] {1, past + 1}, 2, INT64)) {
                bind(rawDecoderBinding, true, maskName, mask);
                check(api.RunWithBinding(decoder.asOrtSession(), runOptions.asOrtRunOptions(), rawDecoderBinding));
            }
            int best = 0;
            float bestValue = logitsView.get(0);
            for (int i = 1; i < vocab; i++) {
                float v = logitsView.get(i);
                if (v > bestValue) {
                    bestValue = v;
                    best = i;
                }
            }
            return best;
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
}
