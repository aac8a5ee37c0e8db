package dev.phi4ee.camel;

import dev.phi4ee.core.api.TokenListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * Receives streamed text on the engine's decode thread and hands every chunk to a pool that sends it as its own
 * exchange. Each send is chained after the previous one, so chunks arrive in order while the decode thread never
 * waits on a route.
 */
final class ChunkForwarder implements TokenListener {

    private final ProducerTemplate template;
    private final String endpointUri;
    private final String correlationId;
    private final Executor executor;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private int count;

    ChunkForwarder(ProducerTemplate template, String endpointUri, String correlationId, Executor executor) {
        this.template = template;
        this.endpointUri = endpointUri;
        this.correlationId = correlationId;
        this.executor = executor;
    }

    @Override
    public synchronized void onText(String delta) {
        int index = count++;
        tail = tail.thenRunAsync(
                () -> {
                    Exchange sent = template.send(endpointUri, chunk -> {
                        chunk.getMessage().setBody(delta);
                        chunk.getMessage().setHeader(Phi4Constants.CHUNK_INDEX, index);
                        chunk.getMessage().setHeader(Phi4Constants.CORRELATION_ID, correlationId);
                    });
                    if (sent.getException() != null) {
                        throw new IllegalStateException(
                                "phi4: streaming chunk " + index + " to " + endpointUri + " failed",
                                sent.getException());
                    }
                },
                executor);
    }

    /** Completes with the chunk count once every chunk has been sent (call after the generation completed). */
    synchronized CompletableFuture<Integer> delivered() {
        int total = count;
        return tail.thenApply(ignored -> total);
    }
}
