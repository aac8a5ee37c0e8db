package dev.phi4ee.ejb;

import dev.phi4ee.core.api.Phi4Engine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The one way requests reach the shared engine, for the service (which checks the caller's role) and the request
 * listener (whose senders the broker's security settings admit). Callers validate the request first.
 */
@ApplicationScoped
public class Phi4Generator {

    @Inject
    Phi4Engine engine;

    /** Generates to completion on the caller's thread. */
    public Phi4Response generate(Phi4Request request) {
        try {
            return Phi4Response.of(engine.generate(GenerationRequests.of(request)));
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    /** Submits and returns the engine's own future (completed off the engine's decode thread). */
    public CompletableFuture<Phi4Response> generateAsync(Phi4Request request) {
        return engine.generateAsync(GenerationRequests.of(request)).thenApply(Phi4Response::of);
    }
}
