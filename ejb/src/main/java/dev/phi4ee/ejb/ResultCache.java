package dev.phi4ee.ejb;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The results of recent request messages by {@code JMSMessageID}, so that a redelivery is answered from the result
 * (or waits for the generation still running for it) instead of generating again. Bounded in entries (the oldest
 * goes first) and in age (a result older than the time to live is dropped). A failed generation is forgotten, so the
 * redelivery of a transient failure generates again.
 */
final class ResultCache {

    /** The entry of a message: {@code owner} when this call created it and must complete it. */
    record Claim(CompletableFuture<Phi4Response> result, boolean owner) {}

    private record Entry(CompletableFuture<Phi4Response> result, long createdNanos) {}

    private final int capacity;
    private final long ttlNanos;
    private final LongSupplier clock;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    ResultCache(int capacity, Duration ttl, LongSupplier nanoClock) {
        this.capacity = capacity;
        this.ttlNanos = ttl.toNanos();
        this.clock = nanoClock;
    }

    /** The entry of {@code messageId}: the known or running result, or a new one that the caller completes. */
    synchronized Claim claim(String messageId) {
        CompletableFuture<Phi4Response> fresh = new CompletableFuture<>();
        if (capacity == 0 || messageId == null) {
            return new Claim(fresh, true);
        }
        long now = clock.getAsLong();
        dropExpired(now);
        Entry known = entries.get(messageId);
        if (known != null) {
            return new Claim(known.result(), false);
        }
        entries.put(messageId, new Entry(fresh, now));
        if (entries.size() > capacity) {
            Iterator<Map.Entry<String, Entry>> oldest = entries.entrySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return new Claim(fresh, true);
    }

    /** Forgets a failed generation (only if {@code result} is still the entry of {@code messageId}). */
    synchronized void forget(String messageId, CompletableFuture<Phi4Response> result) {
        Entry e = messageId == null ? null : entries.get(messageId);
        if (e != null && e.result() == result) {
            entries.remove(messageId);
        }
    }

    synchronized int size() {
        return entries.size();
    }

    private void dropExpired(long now) {
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (now - e.createdNanos() < ttlNanos) {
                return; // insertion order: the rest are younger
            }
            if (e.result().isDone()) {
                it.remove();
            }
        }
    }
}
