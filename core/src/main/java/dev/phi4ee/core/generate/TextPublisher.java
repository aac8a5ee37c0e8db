package dev.phi4ee.core.generate;

import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.TokenListener;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A generation as a {@link Flow.Publisher} of text chunks for one subscriber. The request is submitted when the
 * subscriber subscribes; chunks wait in a buffer until demanded (never more {@code onNext} calls than requested);
 * {@code cancel()} cancels the request and frees its cache slot.
 */
final class TextPublisher implements Flow.Publisher<String> {
    private final Function<TokenListener, GenerationHandle> submit;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    TextPublisher(Function<TokenListener, GenerationHandle> submit) {
        this.submit = submit;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super String> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        if (!subscribed.compareAndSet(false, true)) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
            subscriber.onError(new IllegalStateException("this publisher serves one subscriber only"));
            return;
        }
        new Delivery(subscriber).start();
    }

    private final class Delivery implements Flow.Subscription, TokenListener {
        private final Flow.Subscriber<? super String> subscriber;
        private final Queue<String> chunks = new ConcurrentLinkedQueue<>();
        private final AtomicLong demand = new AtomicLong();
        private final AtomicInteger wip = new AtomicInteger();
        private volatile boolean done;
        private volatile Throwable error;
        private volatile boolean cancelled;
        private boolean terminated;
        private volatile GenerationHandle handle;

        Delivery(Flow.Subscriber<? super String> subscriber) {
            this.subscriber = subscriber;
        }

        void start() {
            subscriber.onSubscribe(this);
            if (cancelled) {
                return;
            }
            try {
                handle = submit.apply(this);
                if (cancelled) {
                    handle.cancel();
                }
            } catch (RuntimeException e) {
                onError(e);
            }
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                error = new IllegalArgumentException("request(n) needs n > 0 (reactive-streams rule 3.9), was " + n);
                done = true;
                drain();
                return;
            }
            demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            drain();
        }

        @Override
        public void cancel() {
            cancelled = true;
            GenerationHandle h = handle;
            if (h != null) {
                h.cancel();
            }
        }

        @Override
        public void onText(String delta) {
            chunks.add(delta);
            drain();
        }

        @Override
        public void onComplete(GenerationResult result) {
            done = true;
            drain();
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            done = true;
            drain();
        }

        private void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            do {
                while (!terminated && !cancelled) {
                    if (error != null) {
                        terminated = true;
                        chunks.clear();
                        subscriber.onError(error);
                        break;
                    }
                    boolean finished = done;
                    if (demand.get() > 0) {
                        String next = chunks.poll();
                        if (next != null) {
                            demand.decrementAndGet();
                            subscriber.onNext(next);
                            continue;
                        }
                    }
                    if (finished && chunks.isEmpty()) {
                        terminated = true;
                        subscriber.onComplete();
                    }
                    break;
                }
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        }
    }
}
