package dev.phi4ee.camel;

import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.ModelInfo;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.Timings;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.core.api.TokenUsage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.LockSupport;

/**
 * A stand-in engine that behaves like the real one towards a listener: chunks {@code c0 c1 …} from its own thread, a
 * millisecond apart, then {@code onComplete} (LENGTH) or {@code onError}; {@code cancel()} ends the request with
 * CANCELLED before its next chunk, as the decode loop does. The last handle is kept for assertions.
 */
final class ScriptedEngine implements Phi4Engine {

    /** A request in flight; {@link #emitted()} counts the chunks it sent. */
    static final class Handle implements GenerationHandle {
        final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        private volatile boolean cancelled;
        private volatile int emitted;

        @Override
        public CompletableFuture<GenerationResult> result() {
            return result;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        int emitted() {
            return emitted;
        }
    }

    private final int chunks;
    private final RuntimeException failure;
    private final ExecutorService decodeThread = Executors.newSingleThreadExecutor();
    private volatile Handle last;

    /** @param failure thrown after {@code chunks} chunks, or null to finish with LENGTH */
    ScriptedEngine(int chunks, RuntimeException failure) {
        this.chunks = chunks;
        this.failure = failure;
    }

    Handle last() {
        return last;
    }

    @Override
    public GenerationHandle stream(GenerationRequest request, TokenListener listener) {
        Handle handle = new Handle();
        last = handle;
        decodeThread.execute(() -> run(handle, listener));
        return handle;
    }

    private void run(Handle handle, TokenListener listener) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < chunks; i++) {
            if (handle.cancelled) {
                finish(handle, listener, text, FinishReason.CANCELLED);
                return;
            }
            String delta = "c" + i + " ";
            text.append(delta);
            listener.onText(delta);
            handle.emitted = i + 1;
            LockSupport.parkNanos(1_000_000);
        }
        if (failure != null) {
            listener.onError(failure);
            handle.result.completeExceptionally(failure);
        } else {
            finish(handle, listener, text, FinishReason.LENGTH);
        }
    }

    private static void finish(Handle handle, TokenListener listener, StringBuilder text, FinishReason reason) {
        GenerationResult result = new GenerationResult(
                text.toString(),
                reason,
                new TokenUsage(3, 0, 0, handle.emitted),
                new Timings(Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(2), 1.0),
                List.of());
        listener.onComplete(result);
        handle.result.complete(result);
    }

    @Override
    public Flow.Publisher<String> publish(GenerationRequest request) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo(Path.of("scripted"), "phi4mm", 4096, 200064, "cpu", "float32", true, true);
    }

    @Override
    public void close() {
        decodeThread.shutdownNow();
    }
}
