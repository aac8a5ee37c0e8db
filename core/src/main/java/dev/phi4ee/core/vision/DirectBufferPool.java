package dev.phi4ee.core.vision;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reusable direct buffers for the vision tensors. A request for B images of up to 37 crops needs tens to hundreds
 * of megabytes; allocating that afresh per request leaves the freeing of direct memory to the garbage collector,
 * so buffers are returned here and reused. At most {@code maxRetainedBytes} stay parked; a buffer handed back beyond
 * that is dropped (and freed by the collector). Thread-safe.
 */
final class DirectBufferPool {

    /** Allocation granularity: similar requests share buffers. */
    private static final int GRANULE = 1 << 16;

    private final long maxRetainedBytes;
    private final TreeMap<Integer, ArrayDeque<ByteBuffer>> free = new TreeMap<>();
    private long retainedBytes;

    DirectBufferPool(long maxRetainedBytes) {
        if (maxRetainedBytes < 0) {
            throw new IllegalArgumentException("maxRetainedBytes must be >= 0, was " + maxRetainedBytes);
        }
        this.maxRetainedBytes = maxRetainedBytes;
    }

    /**
     * A direct buffer of at least {@code bytes} capacity in native byte order, position 0, limit {@code bytes};
     * contents are arbitrary (the caller writes every byte it exposes). A parked buffer is reused when it is no
     * more than twice as large as asked, or no larger than the granule the request rounds up to.
     */
    synchronized ByteBuffer acquire(int bytes) {
        long rounded = ((long) bytes + GRANULE - 1) / GRANULE * GRANULE;
        Map.Entry<Integer, ArrayDeque<ByteBuffer>> e = free.ceilingEntry(bytes);
        // Up to twice the size, or the one granule a small request rounds up to (a mask of a few KB must reuse the
        // 64 KB buffer it was given last time, or every request parks a new one until the pool is full).
        if (e != null && e.getKey() <= Math.max(2L * bytes, rounded)) {
            ByteBuffer b = e.getValue().pop();
            if (e.getValue().isEmpty()) {
                free.remove(e.getKey());
            }
            retainedBytes -= b.capacity();
            return b.clear().limit(bytes).order(ByteOrder.nativeOrder());
        }
        int capacity = (int) Math.min(rounded, Integer.MAX_VALUE);
        return ByteBuffer.allocateDirect(capacity).limit(bytes).order(ByteOrder.nativeOrder());
    }

    /** Hands a buffer from {@link #acquire} back; the caller must not touch it afterwards. */
    synchronized void release(ByteBuffer buffer) {
        if (buffer == null || !buffer.isDirect()) {
            return;
        }
        if (retainedBytes + buffer.capacity() > maxRetainedBytes) {
            return;
        }
        free.computeIfAbsent(buffer.capacity(), k -> new ArrayDeque<>()).push(buffer);
        retainedBytes += buffer.capacity();
    }

    /** Bytes currently parked for reuse. */
    synchronized long retainedBytes() {
        return retainedBytes;
    }
}
