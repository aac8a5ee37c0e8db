package dev.phi4ee.ejb;

import dev.phi4ee.core.api.Phi4Engine;
import jakarta.ejb.Asynchronous;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;

/**
 * Generation as an EJB: {@code @Inject} or {@code @EJB} it. Requests are validated by the container (Bean
 * Validation on the parameters); a violation surfaces as {@code jakarta.validation.ConstraintViolationException}.
 * Generation touches no transactional resource, so no transaction is started for it.
 */
@Stateless
@LocalBean
@TransactionAttribute(TransactionAttributeType.SUPPORTS)
public class Phi4Service {

    @Inject
    Phi4Engine engine;

    /** Generates to completion on the caller's thread. */
    public Phi4Response generate(@NotNull @Valid Phi4Request request) {
        try {
            return Phi4Response.of(engine.generate(GenerationRequests.of(request)));
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    /**
     * Submits the request and returns at once with the engine's own future: no container thread waits for the
     * generation. (EJB {@code @Asynchronous} methods must return {@link Future}, so this one is a plain method.)
     */
    public CompletableFuture<Phi4Response> generateAsync(@NotNull @Valid Phi4Request request) {
        return engine.generateAsync(GenerationRequests.of(request)).thenApply(Phi4Response::of);
    }

    /**
     * The EJB-standard asynchronous variant: the container returns a {@link Future} immediately; the bean method
     * itself only submits, and the future's {@code get()} waits on the engine's result.
     */
    @Asynchronous
    public Future<Phi4Response> submit(@NotNull @Valid Phi4Request request) {
        return generateAsync(request);
    }
}
