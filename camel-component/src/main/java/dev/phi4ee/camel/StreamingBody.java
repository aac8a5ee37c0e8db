package dev.phi4ee.camel;

import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.Phi4Exception;
import dev.phi4ee.core.api.TokenListener;
import java.io.Closeable;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * The body of a {@code streaming=true} exchange without a {@code streamingEndpoint}: the generated text as an {@code
 * Iterator<String>} of chunks, for {@code split(body()).streaming()}, filled by the engine as it decodes.
 *
 * <p>The engine's decode thread never waits on it: at most {@link #CAPACITY} chunks queue up, and text arriving while
 * the queue is full is appended to one pending chunk, so a slow consumer gets fewer, larger chunks (the same text).
 * {@code hasNext()} waits for the next chunk or the end; at the end the result's headers (finish reason, token usage,
 * timings, chunk count) are set on the message that carried the iterator. A failed generation is thrown from {@code
 * hasNext()}/{@code next()} as a {@link Phi4Exception} with the engine's exception as the cause, never a short text.
 * {@link #close()} before the end cancels the generation (freeing its batch slot); the exchange's completion closes
 * it too, so an iterator abandoned by the route never keeps decoding.
 */
final class StreamingBody implements Iterator<String>, Closeable, TokenListener {

    /** Chunks queued before later text is merged into one pending chunk. */
    static final int CAPACITY = 256;

    private final int capacity;
    private final Message message;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<String> chunks = new ArrayDeque<>();
    private final StringBuilder overflow = new StringBuilder();
    private GenerationHandle handle;
    private GenerationResult result;
    private Throwable error;
    private boolean closedEarly;
    private boolean headersWritten;
    private int delivered;

    StreamingBody(int capacity, Message message) {
        this.capacity = capacity;
        this.message = message;
    }

    /**
     * Submits {@code request}, makes its text stream the exchange's body and closes that stream when the exchange
     * completes. Rejections of the request itself ({@code stream} throwing) propagate to the caller.
     */
    static void start(Phi4Engine engine, GenerationRequest request, Exchange exchange) {
        StreamingBody body = new StreamingBody(CAPACITY, exchange.getMessage());
        body.attach(engine.stream(request, body));
        exchange.getMessage().setBody(body);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                body.close();
            }
        });
    }

    void attach(GenerationHandle generation) {
        lock.lock();
        try {
            handle = generation;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onText(String delta) {
        lock.lock();
        try {
            if (closedEarly) {
                return;
            }
            if (overflow.isEmpty() && chunks.size() < capacity) {
                chunks.add(delta);
            } else {
                overflow.append(delta); // the consumer lags: merge rather than make the decode thread wait
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onComplete(GenerationResult finished) {
        lock.lock();
        try {
            result = finished;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onError(Throwable failure) {
        lock.lock();
        try {
            error = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean hasNext() {
        boolean interrupted = false;
        lock.lock();
        try {
            while (true) {
                if (error != null) {
                    throw failure();
                }
                if (!chunks.isEmpty() || !overflow.isEmpty()) {
                    return true;
                }
                if (closedEarly) {
                    throw new Phi4Exception("phi4: the text stream was closed after " + delivered
                            + " chunks, before the generation finished (it was cancelled)");
                }
                if (result != null) {
                    writeHeaders();
                    return false;
                }
                try {
                    changed.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
        } finally {
            lock.unlock();
        }
        // Outside the lock: cancelling a queued request completes it on this thread.
        Thread.currentThread().interrupt();
        close();
        throw new Phi4Exception("phi4: interrupted while waiting for the next chunk; the generation was cancelled");
    }

    @Override
    public String next() {
        if (!hasNext()) {
            throw new NoSuchElementException("phi4: the generated text has no more chunks");
        }
        lock.lock();
        try {
            delivered++;
            if (!chunks.isEmpty()) {
                return chunks.poll();
            }
            String merged = overflow.toString();
            overflow.setLength(0);
            return merged;
        } finally {
            lock.unlock();
        }
    }

    /** Cancels the generation unless it has ended; idempotent. */
    @Override
    public void close() {
        GenerationHandle running = null;
        lock.lock();
        try {
            if (result == null && error == null && !closedEarly) {
                closedEarly = true;
                running = handle;
            }
            chunks.clear();
            overflow.setLength(0);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (running != null) {
            running.cancel();
        }
    }

    private Phi4Exception failure() {
        return new Phi4Exception(
                "phi4: the generation failed after " + delivered + " chunks, the streamed text is incomplete: "
                        + error.getMessage(),
                error);
    }

    /** Once, on the consumer's thread (the one routing the exchange): Camel messages are not thread-safe. */
    private void writeHeaders() {
        if (headersWritten || message == null) {
            return;
        }
        headersWritten = true;
        ResultHeaders.write(message, result);
        message.setHeader(Phi4Constants.CHUNK_COUNT, delivered);
    }
}
