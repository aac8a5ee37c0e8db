package dev.phi4ee.core.api;

import dev.phi4ee.core.generate.OnnxPhi4Engine;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * A Phi-4-multimodal model opened from a model directory, shared by every caller of a JVM. Thread-safe: concurrent
 * requests are scheduled together (continuous batching). Closing it releases all native memory.
 */
public interface Phi4Engine extends AutoCloseable {

    /** Opens the model directory (official {@code Phi-4-multimodal-instruct-onnx} layout) with default options. */
    static Phi4Engine open(Path modelDirectory) {
        return open(modelDirectory, EngineOptions.defaults());
    }

    static Phi4Engine open(Path modelDirectory, EngineOptions options) {
        return OnnxPhi4Engine.open(modelDirectory, options);
    }

    /** Generates to completion, blocking the caller. */
    default GenerationResult generate(GenerationRequest request) {
        try {
            return generateAsync(request).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    /**
     * Submits a request; the future completes with the result, or exceptionally with a {@link Phi4Exception}. A
     * request refused outright (queue full, context too long, invalid media, engine closed) throws here instead.
     */
    default CompletableFuture<GenerationResult> generateAsync(GenerationRequest request) {
        return stream(request, delta -> {}).result();
    }

    /**
     * Submits a request whose text is delivered to {@code listener} as it is produced (see {@link TokenListener} for
     * the threads and the order of the calls); the handle cancels it and gives its result.
     */
    GenerationHandle stream(GenerationRequest request, TokenListener listener);

    /** Submits a request and exposes its text chunks as a reactive-streams publisher (one subscriber). */
    java.util.concurrent.Flow.Publisher<String> publish(GenerationRequest request);

    ModelInfo info();

    /**
     * Queue depth, running batch size and whether the decode thread is alive. Engines that schedule nothing
     * themselves (test doubles, delegating wrappers) report an idle, live engine with no slots.
     */
    default EngineStats stats() {
        return new EngineStats(0, 0, 0, true);
    }

    @Override
    void close();
}
