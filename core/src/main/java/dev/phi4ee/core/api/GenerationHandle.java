package dev.phi4ee.core.api;

import java.util.concurrent.CompletableFuture;

/** A request in flight. Cancelling frees its cache slot at once; the result then ends with {@code CANCELLED}. */
public interface GenerationHandle {
    CompletableFuture<GenerationResult> result();

    void cancel();
}
