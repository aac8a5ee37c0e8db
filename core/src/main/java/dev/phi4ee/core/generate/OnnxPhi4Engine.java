package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.ContentPart;
import dev.phi4ee.core.api.ContextLengthExceededException;
import dev.phi4ee.core.api.EngineClosedException;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.EngineStats;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.InferenceException;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.api.KvCachePlan;
import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.api.ModelInfo;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.Phi4Exception;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.core.generate.constrain.ConstraintTables;
import dev.phi4ee.core.generate.constrain.DecodingConstraint;
import dev.phi4ee.core.generate.constrain.RequestConstraint;
import dev.phi4ee.core.generate.constrain.ToolCallFormat;
import dev.phi4ee.core.generate.kv.CudaArenaPlan;
import dev.phi4ee.core.generate.kv.KvGeometry;
import dev.phi4ee.core.generate.kv.KvMemoryPlanner;
import dev.phi4ee.core.generate.kv.MemoryBudget;
import dev.phi4ee.core.generate.kv.MemoryProbe;
import dev.phi4ee.core.generate.prefix.PrefixCache;
import dev.phi4ee.core.model.GenaiConfig;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.CudaArena;
import dev.phi4ee.core.ort.OnnxRuntime;
import dev.phi4ee.core.ort.OrtFailure;
import dev.phi4ee.core.ort.OrtTerminated;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.ort.SessionSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ONNX Runtime implementation of {@link Phi4Engine}: validates and tokenizes requests on the caller's thread,
 * then serves them on one engine thread: continuously batched over one shared KV buffer in shared-buffer mode
 * ({@link ContinuousBatchScheduler}), one at a time with one growing cache otherwise (reference §4).
 */
public final class OnnxPhi4Engine implements Phi4Engine {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxPhi4Engine.class);

    private final Phi4Graphs graphs;
    private final TextCodec codec;
    private final int maxLength;
    private final KvCachePlan kvPlan;
    private final String howToGrow;
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
    private final PrefixCache prefixes;
    private final ExecutorService completions;
    private final DeadlineClock clock;
    private final ConstraintTables constraints;
    private volatile boolean closed;

    private OnnxPhi4Engine(
            Phi4Graphs graphs,
            TextCodec codec,
            EngineOptions options,
            Function<GenerationRequest, TokenChooser> choosers,
            MemoryProbe probe,
            Optional<CudaArenaPlan> arena,
            DeadlineClock clock) {
        this.graphs = graphs;
        this.clock = clock;
        this.completions = completionPool(options.threadFactory());
        this.codec = codec;
        this.choosers = choosers;
        GenaiConfig c = graphs.config();
        this.sharedBuffer = switch (options.kvCacheMode()) {
            case AUTO -> c.search().pastPresentShareBuffer();
            case SHARED_BUFFER -> true;
            case GROWING -> false;
        };
        this.ids = GenerationIds.of(c.eosTokenIds(), c.vocabSize(), codec);
        this.constraints =
                new ConstraintTables(c.vocabSize(), codec::plainTokenBytes, codec::controlTokenId, ids.eosArray());
        this.preparer = codec instanceof Phi4TextCodec p ? new PromptPreparer(p, graphs, options) : null;
        this.adapters = new LoraAdapters(graphs.directory(), graphs);
        try {
            // Measured now: the weights and adapters are loaded (on the device when it is CUDA).
            this.kvPlan = planKvCache(graphs, options, sharedBuffer, probe, arena);
            this.maxLength = kvPlan.window();
            this.howToGrow = KvMemoryPlanner.howToGrow(kvPlan, c.contextLength());
            this.info = new ModelInfo(
                    graphs.directory().root(),
                    c.modelType(),
                    maxLength,
                    c.vocabSize(),
                    graphs.executionProvider(),
                    graphs.embedsType().label(),
                    graphs.vision().isPresent(),
                    graphs.speech().isPresent(),
                    kvPlan);
            int originalMax = graphs.directory().hfConfig().originalMaxPositionEmbeddings();
            this.prefixes = prefixCache(graphs, options);
            this.promptStage = new EnginePromptStage(new MediaEncoders(graphs), adapters, prefixes, originalMax);
            if (sharedBuffer) { // continuous batching over one shared KV buffer (docs/decisions/batching-design.md)
                this.slot = null;
                this.scheduler = null;
                this.batcher = new ContinuousBatchScheduler(
                        options.maxQueuedRequests(),
                        options.maxQueuedTokens(),
                        options.maxTokensInFlight(),
                        new DecodeBatch(
                                graphs,
                                kvPlan.slots(),
                                maxLength,
                                originalMax,
                                ids,
                                codec::newStream,
                                promptStage,
                                options.prefillChunkTokens(),
                                options.tokenChoiceThreads(),
                                options.threadFactory()),
                        graphs::terminate,
                        this::releaseNative,
                        clock,
                        options.threadFactory());
            } else { // growing cache: one request at a time
                this.slot = new DecodingSession(graphs, false, maxLength, originalMax);
                this.scheduler = new RequestScheduler(
                        options.maxQueuedRequests(),
                        options.maxQueuedTokens(),
                        this::execute,
                        graphs::terminate,
                        this::releaseNative,
                        clock,
                        options.threadFactory());
                this.batcher = null;
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            adapters.close(); // its tensors go before the graphs' placement (the prefix cache holds no block yet)
            completions.shutdown();
            clock.close();
            throw e;
        }
        LOG.info("opened {}: {}, {}", info.directory(), info.executionProvider(), kvPlan.describe());
        if (kvPlan.slots() < options.maxBatchSize() && sharedBuffer) {
            LOG.warn(
                    "the KV budget holds {} requests of window {}, fewer than maxBatchSize {}: raise kvCacheBytes"
                            + " (or the memory utilization) or lower maxLength for more",
                    kvPlan.slots(),
                    maxLength,
                    options.maxBatchSize());
        }
    }

    /**
     * The KV cache plan of {@code graphs} under {@code options}: geometry from the decoder, budget from {@code
     * probe} in the memory the cache will live in (docs/decisions/runtime-kv-memory-plan.md).
     */
    static KvCachePlan planKvCache(Phi4Graphs graphs, EngineOptions options, boolean sharedBuffer, MemoryProbe probe) {
        return planKvCache(graphs, options, sharedBuffer, probe, Optional.empty());
    }

    /** As above, the budget on CUDA capped at what the engine's arena leaves the cache ({@link CudaArenaPlan}). */
    static KvCachePlan planKvCache(
            Phi4Graphs graphs,
            EngineOptions options,
            boolean sharedBuffer,
            MemoryProbe probe,
            Optional<CudaArenaPlan> arena) {
        GenaiConfig c = graphs.config();
        var d = c.decoder();
        KvGeometry geometry = new KvGeometry(
                d.numHiddenLayers(),
                d.numKeyValueHeads(),
                d.headSize(),
                graphs.kvType().byteSize());
        String ep = graphs.executionProvider();
        int cudaDevice = !graphs.placement().isHost() && ep.startsWith("cuda")
                ? (ep.indexOf(':') < 0 ? 0 : Integer.parseInt(ep.substring(ep.indexOf(':') + 1)))
                : -1;
        MemoryBudget measured = MemoryBudget.resolve(options, cudaDevice, probe);
        MemoryBudget budget = cudaDevice >= 0 ? arena.map(a -> a.cap(measured)).orElse(measured) : measured;
        return KvMemoryPlanner.plan(
                geometry,
                c.search().maxLength(),
                c.contextLength(),
                sharedBuffer ? KvCacheMode.SHARED_BUFFER : KvCacheMode.GROWING,
                cudaDevice >= 0 ? ep : "host",
                options,
                budget);
    }

    /** The prefix cache {@code options} ask for (docs/decisions/prefix-cache.md), or null when it is off. */
    private static PrefixCache prefixCache(Phi4Graphs graphs, EngineOptions options) {
        var d = graphs.config().decoder();
        PrefixCache cache = new PrefixCache(
                d.numHiddenLayers(),
                d.numKeyValueHeads(),
                d.headSize(),
                graphs.kvType(),
                options.prefixBlockTokens(),
                options.prefixCacheBytes(),
                graphs.placement());
        return cache.maxBlocks() > 0 ? cache : null;
    }

    /**
     * Where result futures are completed, so that a caller's continuation ({@code thenApply}) never runs on the
     * engine thread: a cached pool of daemon threads owned by the engine (a continuation that blocks holds one thread
     * and the next result takes another; idle threads end after a minute, and close shuts the pool down). Its threads
     * come from {@code EngineOptions.threadFactory}, like the engine's own: plain daemon threads in Java SE, the
     * server's managed threads inside an application server (docs/decisions/runtime-shutdown.md).
     */
    private static ExecutorService completionPool(ThreadFactory threads) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = threads.newThread(r);
            if (t != null) {
                t.setName("phi4-result-" + n.incrementAndGet());
            }
            return t;
        });
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
        return open(dir, options, codec, choosers, placement, MemoryProbe.system());
    }

    /** As above, with the memory the KV plan sees given by {@code probe} (tests of hosts and GPUs not present). */
    static OnnxPhi4Engine open(
            ModelDirectory dir,
            EngineOptions options,
            TextCodec codec,
            Function<GenerationRequest, TokenChooser> choosers,
            Placement.Kind placement,
            MemoryProbe probe) {
        return open(dir, options, codec, choosers, placement, probe, DeadlineClock.system(options.threadFactory()));
    }

    /** As above, with request deadlines measured and fired by {@code clock} (tests that choose when one passes). */
    static OnnxPhi4Engine open(
            ModelDirectory dir,
            EngineOptions options,
            TextCodec codec,
            Function<GenerationRequest, TokenChooser> choosers,
            Placement.Kind placement,
            MemoryProbe probe,
            DeadlineClock clock) {
        Objects.requireNonNull(codec, "codec");
        Optional<CudaArenaPlan> arena = cudaArenaPlan(dir, options, probe);
        Phi4Graphs graphs;
        if (arena.isPresent()) { // one arena for the engine's sessions, its limit fixed before they exist
            long limit = arena.get().limitBytes();
            SessionSettings settings = sessionSettings(options);
            settings = settings.withCuda(
                    settings.cuda().with(Map.of(CudaArenaPlan.PROVIDER_OPTION, Long.toString(limit))));
            LOG.info(
                    "CUDA memory limit of the engine: {} bytes ({})",
                    limit,
                    arena.get().source());
            try (CudaArena opening = CudaArena.open(options.cudaDevice(), limit)) {
                graphs = Phi4Graphs.open(dir, settings, placement);
            }
        } else {
            graphs = Phi4Graphs.open(dir, sessionSettings(options), placement);
        }
        try {
            return new OnnxPhi4Engine(graphs, codec, options, choosers, probe, arena, clock);
        } catch (RuntimeException | OutOfMemoryError e) {
            graphs.close();
            throw e;
        }
    }

    /**
     * The CUDA arena plan when CUDA may be used ({@code cuda}, {@code cuda:N}, or {@code auto} with natives that have
     * CUDA): weights from the model's files, the device's memory now, the decoder's genai_config options.
     */
    static Optional<CudaArenaPlan> cudaArenaPlan(ModelDirectory dir, EngineOptions options, MemoryProbe probe) {
        int device = options.cudaDevice();
        if (device < 0 || !OnnxRuntime.compiledProviders().contains("CUDAExecutionProvider")) {
            return Optional.empty();
        }
        List<Path> graphs = new ArrayList<>(List.of(dir.embeddingFile(), dir.decoderFile()));
        dir.visionFile().ifPresent(graphs::add);
        dir.speechFile().ifPresent(graphs::add);
        try {
            return Optional.of(CudaArenaPlan.derive(
                    options,
                    CudaArenaPlan.weightsOnDisk(graphs),
                    probe.cuda(device),
                    dir.config().decoder().providerOptions("cuda")));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(dir.root().resolve("genai_config.json") + ": " + e.getMessage(), e);
        }
    }

    /** The sessions' settings under {@code options}. */
    static SessionSettings sessionSettings(EngineOptions options) {
        return new SessionSettings(
                options.executionProvider(),
                options.strictExecutionProvider(),
                options.intraOpThreads(),
                SessionSettings.Optimization.ALL);
    }

    static TokenChooser greedy() {
        return (logits, generated) -> TokenChooser.argmax(logits);
    }

    @Override
    public GenerationHandle stream(GenerationRequest request, TokenListener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        if (closed) {
            throw new EngineClosedException("engine is closed");
        }
        RequestConstraint constraint = constraints.bind(DecodingConstraint.of(request));
        GenerationRequest original = request;
        request = ToolCallFormat.withToolsInPrompt(request);
        PreparedPrompt prepared = null;
        int[] ids;
        if (preparer != null) {
            int maxNewTokens = request.options().maxNewTokens();
            prepared = preparer.prepare(request, tokens -> {
                if ((long) tokens + maxNewTokens > maxLength) {
                    throw new ContextLengthExceededException(tokens, maxNewTokens, maxLength, howToGrow);
                }
            });
            ids = prepared.expanded.ids();
        } else {
            rejectMedia(request);
            ids = codec.encodeChat(request.messages());
        }
        try {
            int maxNew = request.options().maxNewTokens();
            if ((long) ids.length + maxNew > maxLength) {
                throw new ContextLengthExceededException(ids.length, maxNew, maxLength, howToGrow);
            }
            EngineRequest r = new EngineRequest(
                    ids,
                    prepared,
                    prepared == null ? 0 : prepared.expanded.imageTokens(),
                    prepared == null ? 0 : prepared.expanded.audioTokens(),
                    request.options(),
                    choosers.apply(original),
                    constraint,
                    listener,
                    batcher != null ? batcher::abandon : scheduler::abandon,
                    completions,
                    clock);
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
        } catch (OrtTerminated e) {
            r.fail(new EngineClosedException("engine closed while the request ran"));
        } catch (OrtFailure e) {
            r.fail(new InferenceException("ONNX Runtime failed: " + e.getMessage(), e));
        } catch (RuntimeException e) {
            r.fail(e instanceof Phi4Exception ? e : new InferenceException("generation failed: " + e, e));
        } finally {
            slot.reset(); // the slot is free for the next request at once
        }
    }

    /** The prefix cache, or null when off (tests; read on the engine thread or once its requests completed). */
    PrefixCache prefixCache() {
        return prefixes;
    }

    /** Positions run through the decoder so far (tests; read once the requests completed). */
    long decoderPositions() {
        return batcher != null ? batcher.decoderPositions() : slot.decoderPositions();
    }

    /** The continuous-batching scheduler (shared-buffer mode), or null in growing mode. */
    ContinuousBatchScheduler batcher() {
        return batcher;
    }

    /** Direct memory the image preprocessor keeps for reuse between requests (bounded; for memory checks). */
    long prefixCacheBytes() {
        return prefixes == null ? 0 : prefixes.heldBytes();
    }

    long pooledImageBytes() {
        return preparer == null ? 0 : preparer.pooledImageBytes();
    }

    @Override
    public Flow.Publisher<String> publish(GenerationRequest request) {
        return new TextPublisher(listener -> stream(request, listener));
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public EngineStats stats() {
        return batcher != null ? batcher.stats() : scheduler.stats();
    }

    /** Whether decode steps bind one shared past/present buffer (else the cache grows per step). */
    public boolean sharedBuffer() {
        return sharedBuffer;
    }

    public KvCacheMode kvCacheMode() {
        return sharedBuffer ? KvCacheMode.SHARED_BUFFER : KvCacheMode.GROWING;
    }

    /**
     * Refuses new requests, fails the waiting ones with {@link EngineClosedException}, terminates the native call in
     * progress and returns once the engine thread has failed the running requests and freed all native memory (or,
     * if a listener blocks that thread, after a grace period, the freeing then happening when it returns).
     */
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
        }
    }

    /** Runs on the engine thread as it ends: nothing runs the graphs any more. */
    private void releaseNative() {
        try {
            if (slot != null) {
                slot.close();
            }
            if (prefixes != null) {
                prefixes.close();
            }
            adapters.close();
            graphs.close();
        } finally {
            completions.shutdown(); // outcomes already handed to it are still delivered
        }
    }
}
