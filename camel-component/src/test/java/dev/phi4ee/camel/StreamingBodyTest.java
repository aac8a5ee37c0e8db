package dev.phi4ee.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.InferenceException;
import dev.phi4ee.core.api.Phi4Exception;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The iterator body alone, driven as the engine drives a listener. */
class StreamingBodyTest {

    private final AtomicInteger cancels = new AtomicInteger();
    private final GenerationHandle handle = new GenerationHandle() {
        @Override
        public CompletableFuture<GenerationResult> result() {
            return new CompletableFuture<>();
        }

        @Override
        public void cancel() {
            cancels.incrementAndGet();
        }
    };

    private StreamingBody body(int capacity) {
        StreamingBody body = new StreamingBody(capacity, null);
        body.attach(handle);
        return body;
    }

    private static GenerationResult result(String text) {
        return new GenerationResult(text, FinishReason.STOP, null, null, List.of());
    }

    @Test
    void aLaggingConsumerGetsTheLaterTextMergedInOrderAndTheDecodeThreadNeverWaits() {
        StreamingBody body = body(2);
        body.onText("a");
        body.onText("b");
        body.onText("c"); // queue full: pending
        assertThat(body.next()).isEqualTo("a");
        body.onText("d"); // room again, but "c" is pending: "d" must follow it
        body.onText("e");
        body.onComplete(result("abcde"));

        List<String> rest = new ArrayList<>();
        body.forEachRemaining(rest::add);

        assertThat(rest).containsExactly("b", "cde");
        assertThat(body.hasNext()).isFalse();
        assertThatThrownBy(body::next).isInstanceOf(NoSuchElementException.class);
        body.close();
        assertThat(cancels).as("closing a finished stream cancels nothing").hasValue(0);
    }

    @Test
    void aFailureIsThrownFromEveryLaterCallWithTheEngineExceptionAsCause() {
        StreamingBody body = body(8);
        body.onText("a");
        assertThat(body.next()).isEqualTo("a");
        body.onText("b");
        InferenceException cause = new InferenceException("decoder failed", null);
        body.onError(cause);

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(body::hasNext)
                    .isInstanceOf(Phi4Exception.class)
                    .hasMessageContaining("after 1 chunks")
                    .hasMessageContaining("decoder failed")
                    .hasCause(cause);
        }
        assertThatThrownBy(body::next).hasCause(cause);
    }

    @Test
    void closingBeforeTheEndCancelsOnceAndLaterReadsSaySo() {
        StreamingBody body = body(8);
        body.onText("a");
        body.close();
        body.close();
        body.onText("late"); // the engine may still send what it decoded before it saw the cancel
        body.onComplete(result("a"));

        assertThat(cancels).hasValue(1);
        assertThatThrownBy(body::hasNext)
                .isInstanceOf(Phi4Exception.class)
                .hasMessageContaining("closed")
                .hasMessageContaining("cancelled");
    }

    @Test
    void anInterruptedWaitCancelsTheGenerationAndKeepsTheInterruptFlag() {
        StreamingBody body = body(8);
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(body::hasNext).isInstanceOf(Phi4Exception.class).hasMessageContaining("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(cancels).hasValue(1);
    }
}
