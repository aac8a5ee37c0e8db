package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.TensorFloatType;
import dev.phi4ee.core.api.Timings;
import dev.phi4ee.core.api.TokenUsage;
import dev.phi4ee.core.api.ToolCall;
import dev.phi4ee.core.generate.constrain.ConstrainedDecoder;
import dev.phi4ee.core.generate.constrain.ToolCallFormat;
import dev.phi4ee.core.generate.sampling.LogitsRow;
import dev.phi4ee.core.generate.sampling.StopSequenceMatcher;
import dev.phi4ee.core.generate.sampling.TokenHistory;
import dev.phi4ee.core.generate.sampling.TokenSampler;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The per-request decoding state, driven one step at a time: sampling from the row's own logits view,
 * end-of-sequence ids, stop strings, min/max new tokens, full context, cancellation, deadline, streaming and the
 * result. The one implementation for both paths: a {@link DecodeBatch} row (continuous batching) and {@link
 * RequestRun} (one request alone, growing cache).
 */
final class BatchRow {
    final EngineRequest request;
    final DecodingSession session;
    /** The row's slot in the shared KV buffer; null outside a batch ({@link RequestRun}). */
    final SlotKvCache cache;
    /** Prompt + maxNewTokens: what this request holds of {@code maxTokensInFlight}. */
    final long budget;

    private final GenerationIds ids;
    private final TextCodec.TextStream text;
    private final long start = System.nanoTime();
    private final StringBuilder out = new StringBuilder();
    private final List<Integer> generated = new ArrayList<>();
    private final StopSequenceMatcher stops;
    private LoraAdapters.Weights adapters;
    private TokenHistory history;
    private TokenSampler sampler;
    /** The request's grammar position (constrained decoding); null when its decoding is free. */
    private ConstrainedDecoder constraint;

    private float[] scratch;
    private int[] chunk;
    private long firstToken;
    private long pending = -1;
    /** A token chosen ahead by {@link #chooseAhead} for the next {@link #accept}, or -1. */
    private int chosenAhead = -1;

    private boolean done;
    private Phase phase = Phase.WAITING;
    private Prefill prefill;

    private enum Phase {
        WAITING,
        PREFILLING,
        DECODING
    }

    BatchRow(
            EngineRequest request,
            DecodingSession session,
            SlotKvCache cache,
            GenerationIds ids,
            TextCodec.TextStream text) {
        this.request = request;
        this.session = session;
        this.cache = cache;
        this.ids = ids;
        this.text = text;
        this.budget = (long) request.promptIds.length + request.options.maxNewTokens();
        this.stops = new StopSequenceMatcher(request.options.stopSequences());
    }

    /**
     * Runs a request's prompt stage on its session (batch 1, in the row's slot), setting the session's LoRA adapter
     * for every later run (the engine uses {@link EnginePromptStage}: encoders, adapter by input mode, prefill).
     */
    interface PromptStage {
        /** The LoRA weights {@link #begin} will set for {@code request}: they decide its batch group up front. */
        LoraAdapters.Weights adapters(EngineRequest request);

        /**
         * Everything of the prompt stage but the decoder runs (adapter, encoders, embedding, a reused prefix): those
         * are left to the returned prefill, so they can be spread over engine steps.
         */
        Prefill begin(EngineRequest request, DecodingSession session, long[] prompt);

        /** Text only: embedding + decoder prefill, no adapters. */
        PromptStage TEXT = new PromptStage() {
            @Override
            public LoraAdapters.Weights adapters(EngineRequest request) {
                return null;
            }

            @Override
            public Prefill begin(EngineRequest request, DecodingSession session, long[] prompt) {
                session.useAdapters(null);
                session.beginPrefill(prompt, null, null, 0, rows -> {});
                return Prefill.of(session, () -> {});
            }
        };
    }

    /** A prompt whose decoder runs ({@link dev.phi4ee.core.generate.prefix.PrefillChunks}) are under way. */
    interface Prefill {
        /** Positions of the next decoder run; 0 once the prefill is complete. */
        int nextRun();

        /** Runs the next decoder run. */
        void run();

        /** The prompt's one decoder run was a row of a batched call ({@code logits}: its row). */
        void ranBatched(Tensor logits);

        /**
         * What completes the prompt stage once every run is done (storing prefix blocks): called after the first
         * token is chosen, so the time to first token does not pay for it, and before the row's next decoder run or
         * the release of its slot (docs/decisions/engine-whole-request-costs.md).
         */
        void complete();

        /** The session's runs, then {@code complete}. */
        static Prefill of(DecodingSession session, Runnable complete) {
            return new Prefill() {
                @Override
                public int nextRun() {
                    return session.nextPrefillRun();
                }

                @Override
                public void run() {
                    session.runPrefillRun();
                }

                @Override
                public void ranBatched(Tensor logits) {
                    session.completeBatchedPrefill(logits);
                }

                @Override
                public void complete() {
                    complete.run();
                }
            };
        }
    }

    /** Prefills and takes the first token; false when the request finished at once. */
    boolean prefill(PromptStage stage) {
        beginPrefill(stage);
        while (nextPrefillRun() > 0) {
            runPrefill();
        }
        return !done;
    }

    /** Begins the prompt stage; its decoder runs follow through {@link #runPrefill}. */
    void beginPrefill(PromptStage stage) {
        if (phase != Phase.WAITING) {
            throw new IllegalStateException("prompt stage already begun");
        }
        int[] promptIds = request.promptIds;
        long[] prompt = new long[promptIds.length];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = promptIds[i];
        }
        adapters = stage.adapters(request);
        phase = Phase.PREFILLING;
        prefill = stage.begin(request, session, prompt);
        if (session.adapters() != adapters) {
            throw new IllegalStateException("the prompt stage set other LoRA weights than it announced");
        }
    }

    /** Positions of the prompt's next decoder run; 0 when the row is not prefilling. */
    int nextPrefillRun() {
        return phase == Phase.PREFILLING && !done ? prefill.nextRun() : 0;
    }

    /** Runs the prompt's next decoder run; after the last, takes the first token (the row then decodes or is done). */
    void runPrefill() {
        prefill.run();
        if (prefill.nextRun() == 0) {
            firstToken();
        }
    }

    /** Completes a single-run prefill run as a row of a batched call ({@code logits}: its row's logits). */
    void completeBatchedPrefill(Tensor logits) {
        prefill.ranBatched(logits);
        firstToken();
    }

    /**
     * Takes the first token, then completes the prompt stage: the slot's prompt rows are still those the runs wrote
     * (the row's next decoder run writes later positions, and a row done at once is released after the step).
     */
    private void firstToken() {
        Prefill ran = prefill;
        prefill = null;
        phase = Phase.DECODING;
        start(session.lastLogits());
        ran.complete();
    }

    /** Admitted, prompt stage not begun yet (chunked prefill: it waits for the rows admitted before it). */
    boolean waiting() {
        return phase == Phase.WAITING && !done;
    }

    /** Prompt stage begun, decoder runs left. */
    boolean prefilling() {
        return phase == Phase.PREFILLING && !done;
    }

    /** Running decode steps: {@link #pending()} is the next step's token. */
    boolean decoding() {
        return phase == Phase.DECODING && !done;
    }

    private void start(LastLogits last) {
        history = new TokenHistory(last.vocab(), request.promptIds);
        int[] never = ids.neverGenerated();
        if (request.constraint != null) {
            constraint = request.constraint.newDecoder();
            never = IntStream.concat(IntStream.of(never), IntStream.of(request.constraint.bannedIds()))
                    .distinct()
                    .sorted()
                    .toArray();
        }
        sampler = request.chooser == null
                ? TokenSampler.create(request.options, last.vocab(), ids.eosArray(), never)
                : null;
        scratch = sampler == null ? new float[last.vocab()] : null;
        accept(last);
    }

    LoraAdapters.Weights adapters() {
        return adapters;
    }

    /** The token the next step appends. */
    long pending() {
        return pending;
    }

    boolean done() {
        return done;
    }

    /** Cancellation or deadline before a step: finishes the request and returns true. */
    boolean stopIfAborted() {
        FinishReason stop = request.stopReason();
        if (stop != null) {
            finish(stop);
            return true;
        }
        return false;
    }

    /**
     * Whether {@link #chooseAhead} may run on another thread and is worth it: the row samples (greedy choices take
     * the argmax paths, tens of µs, less than a hand-off) with its own sampler and history, which touch nothing
     * shared. A structured-output constraint (shared vocabulary tables) and a custom chooser are not.
     */
    boolean choosesAlone() {
        return sampler != null && !sampler.greedy() && constraint == null && !done;
    }

    /**
     * Chooses the next token from {@code last} for the {@link #accept} that follows, on any thread (only when {@link
     * #choosesAlone}); the sampler's state advances as in {@code accept}, so the tokens are those of one thread.
     */
    void chooseAhead(LastLogits last) {
        chosenAhead = sampler.next(row(last), history);
    }

    /**
     * Takes the logits of the newest position: samples the next token (or takes the one {@link #chooseAhead} chose
     * from them), streams its text and decides whether the request goes on (true: {@link #pending()} is the next
     * step's token) or finished (its result is delivered).
     */
    boolean accept(LastLogits last) {
        int ahead = chosenAhead;
        chosenAhead = -1;
        if (stopIfAborted()) {
            return false;
        }
        if (ahead >= 0) {
            return take(ahead);
        }
        LogitsRow logits = row(last);
        if (constraint != null) {
            logits = constraint.mask(logits); // a filter before every processor (docs/decisions/structured-output.md)
            if (logits == null) { // nothing allowed: a recursion deeper than the grammar's nesting bound
                finish(FinishReason.LENGTH);
                return false;
            }
        }
        return take(sampler != null ? sampler.next(logits, history) : choose(logits, generated.size()));
    }

    private boolean take(int token) {
        if (firstToken == 0) {
            firstToken = System.nanoTime();
        }
        if (ids.eos().contains(token)) {
            finish(FinishReason.STOP);
            return false;
        }
        if (constraint != null) {
            constraint.accept(token);
        }
        generated.add(token);
        emit(stops.accept(text.append(token)));
        if (stops.stopped() || (constraint != null && constraint.complete())) {
            finish(FinishReason.STOP); // a complete document ends the request: only the end of sequence may follow
            return false;
        }
        if (generated.size() >= request.options.maxNewTokens() || session.length() >= session.capacity()) {
            finish(FinishReason.LENGTH);
            return false;
        }
        pending = token;
        return true;
    }

    void fail(Throwable error) {
        done = true;
        request.fail(error);
    }

    private void finish(FinishReason reason) {
        done = true;
        request.releaseMedia(); // a row aborted before its prompt stage began still holds its image buffers
        if (!stops.stopped()) {
            emit(stops.accept(text.flush()));
            emit(stops.flush());
        }
        List<ToolCall> calls = request.constraint != null && request.constraint.toolCalls()
                ? ToolCallFormat.parse(out.toString())
                : List.of();
        if (reason == FinishReason.STOP && !calls.isEmpty()) {
            reason = FinishReason.TOOL_CALLS;
        }
        long end = System.nanoTime();
        double seconds = (end - start) / 1e9;
        Timings timings = new Timings(
                Duration.ofNanos(start - request.acceptedNanos),
                Duration.ofNanos((firstToken == 0 ? end : firstToken) - request.acceptedNanos),
                Duration.ofNanos(end - request.acceptedNanos),
                seconds > 0 ? generated.size() / seconds : 0);
        request.complete(new GenerationResult(
                out.toString(),
                reason,
                new TokenUsage(request.promptIds.length, request.imageTokens, request.audioTokens, generated.size()),
                timings,
                generated,
                calls));
    }

    private static LogitsRow row(LastLogits l) {
        TensorFloatType t = l.type() == ElementType.FLOAT16 ? TensorFloatType.FLOAT16 : TensorFloatType.FLOAT32;
        return LogitsRow.of(l.buffer(), t, l.elementOffset(), l.vocab());
    }

    /**
     * Custom choosers (tests) get a copy with the ids never generated masked, and the end-of-sequence ids until
     * {@code minNewTokens}.
     */
    private int choose(LogitsRow logits, int count) {
        if (chunk == null) {
            chunk = new int[2048];
        }
        logits.copyTo(scratch, chunk);
        for (int id : ids.neverGenerated()) {
            scratch[id] = Float.NEGATIVE_INFINITY;
        }
        if (count < request.options.minNewTokens()) {
            for (int eos : ids.eos()) {
                scratch[eos] = Float.NEGATIVE_INFINITY;
            }
        }
        return request.chooser.choose(scratch, count);
    }

    private void emit(String delta) {
        if (delta != null && !delta.isEmpty()) {
            out.append(delta);
            request.listener.onText(delta);
        }
    }
}
