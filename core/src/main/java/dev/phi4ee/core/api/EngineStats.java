package dev.phi4ee.core.api;

/**
 * A moment's view of an engine's scheduling, for metrics and health probes. Read without stopping the engine: the
 * numbers are each current when read, not one consistent snapshot.
 *
 * @param queuedRequests accepted requests waiting for a batch slot
 * @param runningRequests requests in the running batch (being prefilled or decoded)
 * @param batchSlots most requests that can run at once (the KV cache's slots; 1 in growing-cache mode)
 * @param engineThreadAlive the engine's decode thread is running (false once the engine is closed or the thread died)
 */
public record EngineStats(int queuedRequests, int runningRequests, int batchSlots, boolean engineThreadAlive) {

    /** Slots free for the next queued request. */
    public int freeSlots() {
        return Math.max(0, batchSlots - runningRequests);
    }
}
