package dev.phi4ee.openai;

import dev.phi4ee.core.api.Phi4Engine;

/**
 * The engine the API serves, settable after the HTTP server is up so that readiness can say "not yet" while a large
 * model loads. Requests arriving before then (or after {@link #clear}) are answered 503.
 */
public final class EngineHolder {
    private volatile Phi4Engine engine;
    private volatile String notReadyReason = "the engine is starting";

    public static EngineHolder of(Phi4Engine engine) {
        EngineHolder holder = new EngineHolder();
        holder.set(engine);
        return holder;
    }

    public void set(Phi4Engine engine) {
        this.engine = engine;
    }

    /** Takes the engine out of service (shutdown, failed load) with the reason answered to callers. */
    public void clear(String reason) {
        this.notReadyReason = reason;
        this.engine = null;
    }

    /** The engine, or null while not ready. */
    public Phi4Engine current() {
        return engine;
    }

    /** The engine, or a 503 {@link ApiException}. */
    public Phi4Engine require() {
        Phi4Engine e = engine;
        if (e == null) {
            throw new ApiException(503, "server_error", "not ready: " + notReadyReason, null, "engine_not_ready", 5);
        }
        return e;
    }

    public String notReadyReason() {
        return notReadyReason;
    }
}
