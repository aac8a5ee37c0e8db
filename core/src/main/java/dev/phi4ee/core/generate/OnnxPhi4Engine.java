package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.ContentPart;
import dev.phi4ee.core.api.ContextLengthExceededException;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.InferenceException;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.api.ModelInfo;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.Phi4Exception;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.core.model.GenaiConfig;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.OrtFailure;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.ort.SessionSettings;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.function.Function;

/**
 * The ONNX Runtime implementation of {@link Phi4Engine}: validates and tokenizes requests on the caller's thread,
 * then serves them on one engine thread: continuously batched over one shared KV buffer in shared-buffer mode
 * ({@link ContinuousBatchScheduler}), one at a time with one growing cache otherwise (reference §4).
 */
public final class OnnxPhi4Engine implements Phi4Engine {
    private static final System.Logger LOG = System.getLogger(OnnxPhi4Engine.class.getName());

    private final Phi4Graphs graphs;
    private final TextCodec codec;
    private final int maxLength;
    private final boolean sharedBuffer;
    private final GenerationIds ids;
    private final ModelInfo info;
    private final DecodingSession slot;
    private final Function<GenerationRequest, TokenChooser> choosers;
    private final RequestScheduler scheduler;
    private final ContinuousBatchScheduler batcher;
    private final PromptPreparer preparer;
    private final LoraAdapters adapters;
    private final EnginePromptStage promptStage;
    private volatile boolean closed;

    private OnnxPhi4Engine(
            Phi4Graphs graphs,
            TextCodec codec,
            EngineOptions options,
            Function<GenerationRequest, TokenChooser> choosers) {
        this.graphs = graphs;
        this.codec = codec;
        this.choosers = choosers;
        GenaiConfig c = graphs.config();
        int configured = c.search().maxLength();
        if (options.maxLength() > c.contextLength()) {
            throw new IllegalArgumentException(
                    "maxLength " + options.maxLength() + " exceeds the model's context_length " + c.contextLength());
        }
        this.maxLength = options.maxLength() > 0 ? options.maxLength() : configured;
        this.sharedBuffer = switch (options.kvCacheMode()) {
            case AUTO -> c.search().pastPresentShareBuffer();
            case SHARED_BUFFER -> true;
            case GROWING -> false;
        };
        this.ids = GenerationIds.of(c.eosTokenIds(), c.vocabSize(), codec);
        this.info = new ModelInfo(
                graphs.directory().root(),
                c.modelType(),
                maxLength,
                c.vocabSize(),
                graphs.executionProvider(),
                graphs.embedsType().label(),
                graphs.vision().isPresent(),
                graphs.speech().isPresent());
        this.preparer = codec instanceof Phi4TextCodec p ? new PromptPreparer(p, graphs, options) : null;
        this.adapters = new LoraAdapters(graphs.directory(), graphs);
        this.promptStage = new EnginePromptStage(new MediaEncoders(graphs), adapters);
        int originalMax = graphs.directory().hfConfig().originalMaxPositionEmbeddings();
        if (sharedBuffer) { // continuous batching over one shared KV buffer (docs/decisions/batching-design.md)
            this.slot = null;
            this.scheduler = null;
            this.batcher = new ContinuousBatchScheduler(
                    options.maxQueuedRequests(),
                    options.maxTokensInFlight(),
                    new DecodeBatch(
                            graphs,
                            options.maxBatchSize(),
                            maxLength,
                            originalMax,
                            ids,
                            codec::newStream,
                            promptStage));
        } else { // growing cache: one request at a time
            this.slot = new DecodingSession(graphs, false, maxLength, originalMax);
            this.scheduler = new RequestScheduler(options.maxQueuedRequests(), this::execute);
            this.batcher = null;
        }
        LOG.log(
                Level.INFO,
                "opened {0}: {1}, max_length {2}, KV cache {3} in {4}",
                info.directory(),
                info.executionProvider(),
                maxLength,
                sharedBuffer ? "shared buffer" : "growing",
                graphs.placement());
    }

    /** Opens a model directory with the tokenizer files it contains. */
    public static Phi4Engine open(Path modelDirectory, EngineOptions options) {
        ModelDirectory dir = ModelDirectory.open(modelDirectory);
        return open(dir, options, Phi4TextCodec.load(dir), r -> null);
    }

    /**
     * Opens with an explicit codec and decoding strategy (tests, benchmarks). {@code choosers} may return null for a
     * request: it is then decoded by the sampler its {@code GenerationOptions} describe.
     */
    public static OnnxPhi4Engine open(
            ModelDirectory dir,
            EngineOptions options,
            TextCodec codec,
            Function<GenerationRequest, TokenChooser> choosers) {
        return open(dir, options, codec, choosers, Placement.Kind.AUTO);
    }

    /** As above, with the tensors' memory chosen explicitly ({@code DEVICE} on the CPU: the GPU code path, for tests). */
    static OnnxPhi4Engine open(
            ModelDirectory dir,
            EngineOptions options,
            TextCodec codec,
            Function<GenerationRequest, TokenChooser> choosers,
            Placement.Kind placement) {
        Objects.requireNonNull(codec, "codec");
        SessionSettings settings = new SessionSettings(
                options.executionProvider(),
                options.strictExecutionProvider(),
                options.intraOpThreads(),
                SessionSettings.Optimization.ALL);
        Phi4Graphs graphs = Phi4Graphs.open(dir, settings, placement);
        try {
            return new OnnxPhi4Engine(graphs, codec, options, choosers);
        } catch (RuntimeException | OutOfMemoryError e) {
            graphs.close();
            throw e;
        }
    }

    static TokenChooser greedy() {
        return (logits, generated) -> TokenChooser.argmax(logits);
    }

    @Override
    public GenerationHandle stream(GenerationRequest request, TokenListener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        if (closed) {
            throw new Phi4Exception("engine is closed");
        }
        PreparedPrompt prepared = null;
        int[] ids;
        if (preparer != null) {
            prepared = preparer.prepare(request);
            ids = prepared.expanded.ids();
        } else {
            rejectMedia(request);
            ids = codec.encodeChat(request.messages());
        }
        try {
            int maxNew = request.options().maxNewTokens();
            if ((long) ids.length + maxNew > maxLength) {
                throw new ContextLengthExceededException(ids.length, maxNew, maxLength);
            }
            EngineRequest r = new EngineRequest(
                    ids,
                    prepared,
                    prepared == null ? 0 : prepared.expanded.imageTokens(),
                    prepared == null ? 0 : prepared.expanded.audioTokens(),
                    request.options(),
                    choosers.apply(request),
                    listener,
                    batcher != null ? batcher::abandon : scheduler::abandon);
            if (batcher != null) {
                batcher.submit(r);
            } else {
                scheduler.submit(r);
            }
            return r;
        } catch (RuntimeException e) {
            if (prepared != null) {
                prepared.close();
            }
            throw e;
        }
    }

    private static void rejectMedia(GenerationRequest request) {
        for (var m : request.messages()) {
            for (ContentPart p : m.parts()) {
                if (!(p instanceof ContentPart.Text)) {
                    throw new InvalidInputException("image and audio parts need the model's own tokenizer codec");
                }
            }
        }
    }

    /** Runs on the engine thread. */
    private void execute(EngineRequest r) {
        try {
            RequestRun.run(r, slot, ids, codec.newStream(), promptStage);
        } catch (OrtFailure e) {
            r.fail(new InferenceException("ONNX Runtime failed: " + e.getMessage(), e));
        } catch (RuntimeException e) {
            r.fail(e instanceof Phi4Exception ? e : new InferenceException("generation failed: " + e, e));
        } finally {
            slot.reset(); // the slot is free for the next request at once
        }
    }

    /** The continuous-batching scheduler (shared-buffer mode), or null in growing mode. */
    ContinuousBatchScheduler batcher() {
        return batcher;
    }

    @Override
    public Flow.Publisher<String> publish(GenerationRequest request) {
        return new TextPublisher(listener -> stream(request, listener));
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    /** Whether decode steps bind one shared past/present buffer (else the cache grows per step). */
    public boolean sharedBuffer() {
        return sharedBuffer;
    }

    public KvCacheMode kvCacheMode() {
        return sharedBuffer ? KvCacheMode.SHARED_BUFFER : KvCacheMode.GROWING;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (batcher != null) {
            batcher.close();
        } else {
            scheduler.close();
            slot.close();
        }
        adapters.close();
        graphs.close();
    }
}
