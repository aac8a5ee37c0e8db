package dev.phi4ee.ejb;

import jakarta.annotation.Resource;
import jakarta.annotation.security.DeclareRoles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.Asynchronous;
import jakarta.ejb.LocalBean;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generation as an EJB: {@code @Inject} or {@code @EJB} it. Callers need the role {@link Phi4Roles#USER} (a caller
 * without it gets {@code jakarta.ejb.EJBAccessException}). Requests are validated by the container (Bean Validation
 * on the parameters); a violation surfaces as {@code jakarta.validation.ConstraintViolationException}. Generation
 * touches no transactional resource, so no transaction is started for it. Every request is logged with its caller.
 */
@Stateless
@LocalBean
@DeclareRoles(Phi4Roles.USER)
@RolesAllowed(Phi4Roles.USER)
@TransactionAttribute(TransactionAttributeType.SUPPORTS)
public class Phi4Service {

    private static final Logger LOG = LoggerFactory.getLogger(Phi4Service.class);

    @Inject
    Phi4Generator generator;

    @Resource
    SessionContext context;

    /** Generates to completion on the caller's thread. */
    public Phi4Response generate(@NotNull @Valid Phi4Request request) {
        String caller = caller();
        long start = System.nanoTime();
        try {
            Phi4Response response = generator.generate(request);
            log(caller, "generate", start, response, null);
            return response;
        } catch (RuntimeException e) {
            log(caller, "generate", start, null, e);
            throw e;
        }
    }

    /**
     * Submits the request and returns at once with the engine's own future: no container thread waits for the
     * generation. (EJB {@code @Asynchronous} methods must return {@link Future}, so this one is a plain method.)
     */
    public CompletableFuture<Phi4Response> generateAsync(@NotNull @Valid Phi4Request request) {
        String caller = caller();
        long start = System.nanoTime();
        return generator.generateAsync(request).whenComplete((r, e) -> log(caller, "generateAsync", start, r, e));
    }

    /**
     * The EJB-standard asynchronous variant: the container returns a {@link Future} immediately; the bean method
     * itself only submits, and the future's {@code get()} waits on the engine's result.
     */
    @Asynchronous
    public Future<Phi4Response> submit(@NotNull @Valid Phi4Request request) {
        return generateAsync(request);
    }

    private String caller() {
        try {
            return context.getCallerPrincipal().getName();
        } catch (IllegalStateException e) {
            return "unknown";
        }
    }

    static void log(String caller, String method, long startNanos, Phi4Response response, Throwable error) {
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        if (error == null) {
            LOG.atInfo().log(() -> "phi4: service " + method + " caller=" + caller + " " + RequestLog.outcome(response)
                    + " in " + millis + " ms");
        } else {
            LOG.atInfo().log(() -> "phi4: service " + method + " caller=" + caller + " failed in " + millis + " ms: "
                    + RequestLog.describe(error));
        }
    }
}
