package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Timings;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.core.api.TokenUsage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TextPublisherTest {
    /** A request the test drives by hand through the listener it was given. */
    static final class ManualRequest implements GenerationHandle {
        final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        final AtomicBoolean cancelled = new AtomicBoolean();
        TokenListener listener;

        @Override
        public CompletableFuture<GenerationResult> result() {
            return result;
        }

        @Override
        public void cancel() {
            cancelled.set(true);
        }

        void finish() {
            GenerationResult r = new GenerationResult(
                    "", FinishReason.STOP, new TokenUsage(1, 0, 0, 0), new Timings(null, null, null, 0), List.of());
            result.complete(r);
            listener.onComplete(r);
        }
    }

    static final class Recorder implements Flow.Subscriber<String> {
        final List<String> items = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final AtomicBoolean completed = new AtomicBoolean();
        Flow.Subscription subscription;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
        }

        @Override
        public void onNext(String item) {
            items.add(item);
        }

        @Override
        public void onError(Throwable t) {
            error.set(t);
        }

        @Override
        public void onComplete() {
            completed.set(true);
        }
    }

    @Test
    void deliversOnlyWhatIsDemandedThenCompletes() {
        ManualRequest req = new ManualRequest();
        TextPublisher p = new TextPublisher(l -> {
            req.listener = l;
            return req;
        });
        Recorder r = new Recorder();
        p.subscribe(r);
        req.listener.onText("a");
        req.listener.onText("b");
        req.listener.onText("c");
        assertThat(r.items).isEmpty();
        r.subscription.request(2);
        assertThat(r.items).containsExactly("a", "b");
        req.finish();
        assertThat(r.completed).isFalse(); // "c" still undelivered
        r.subscription.request(5);
        assertThat(r.items).containsExactly("a", "b", "c");
        assertThat(r.completed).isTrue();
    }

    @Test
    void cancelCancelsTheRequestAndSecondSubscriberIsRejected() {
        ManualRequest req = new ManualRequest();
        TextPublisher p = new TextPublisher(l -> {
            req.listener = l;
            return req;
        });
        Recorder r = new Recorder();
        p.subscribe(r);
        r.subscription.cancel();
        assertThat(req.cancelled).isTrue();
        Recorder second = new Recorder();
        p.subscribe(second);
        assertThat(second.error.get()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void submissionFailureIsSignalledAsError() {
        TextPublisher p = new TextPublisher(l -> {
            throw new dev.phi4ee.core.api.EngineOverloadedException("full");
        });
        Recorder r = new Recorder();
        p.subscribe(r);
        assertThat(r.error.get()).hasMessage("full");
    }
}
