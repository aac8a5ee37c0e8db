package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.generate.ContinuousBatchingTest.Abort;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Cancellations and deadlines that land at a decode step the test chooses, whatever the machine's speed: when the
 * request's chooser picks token {@code step} it cancels the request, or moves the engine's deadline clock past the
 * request's deadline. That token is still delivered; the request stops before the next one.
 */
final class AbortHooks {
    private static final Duration TIMEOUT = Duration.ofMillis(40);

    private final ManualDeadlineClock clock = new ManualDeadlineClock();
    private final Map<GenerationRequest, TokenChooser> hooked = Collections.synchronizedMap(new IdentityHashMap<>());

    /** The engine's deadline clock. */
    DeadlineClock clock() {
        return clock;
    }

    /** Decodes {@code request} with the hooks' chooser, not aborting it (its run alone, to compare with). */
    void chooseLikeAHook(GenerationRequest request) {
        hooked.put(request, OnnxPhi4Engine.greedy());
    }

    /** The engine's chooser for {@code request}: its hook, else {@code otherwise}. */
    TokenChooser chooser(GenerationRequest request, TokenChooser otherwise) {
        return hooked.getOrDefault(request, otherwise);
    }

    /**
     * The token index an abort lands on, or -1 for none: only a request that goes on after that token (alone it gives
     * at least {@code step + 2} tokens) is certain to be aborted rather than to finish first.
     */
    static int stepFor(Abort abort, int seed, int aloneTokens) {
        return abort == Abort.NONE || aloneTokens < 2 ? -1 : seed % (aloneTokens - 1);
    }

    /** Streams the request {@code build} makes (given its timeout, null for a cancel), hooked to abort at {@code step}. */
    GenerationHandle stream(Phi4Engine engine, Abort abort, int step, Function<Duration, GenerationRequest> build) {
        GenerationRequest request = build.apply(abort == Abort.DEADLINE ? TIMEOUT : null);
        CompletableFuture<GenerationHandle> handle = new CompletableFuture<>();
        hooked.put(request, (logits, generated) -> {
            if (generated == step) {
                if (abort == Abort.DEADLINE) {
                    clock.advance(TIMEOUT.plusMillis(1));
                } else {
                    handle.join().cancel();
                }
            }
            return TokenChooser.argmax(logits);
        });
        handle.complete(engine.stream(request, d -> {}));
        return handle.join();
    }

    /**
     * A cancelled request gives exactly its first {@code step + 1} tokens alone; an expired one at most those (another
     * request's deadline may have moved the shared clock past its own earlier).
     */
    static void assertAbortedAt(GenerationResult g, Abort abort, int step, List<Integer> alone, String what) {
        assertThat(g.finishReason())
                .as(what)
                .isEqualTo(abort == Abort.DEADLINE ? FinishReason.DEADLINE : FinishReason.CANCELLED);
        if (abort == Abort.CANCEL) {
            assertThat(g.tokenIds()).as(what).hasSize(step + 1);
        }
        assertThat(g.tokenIds()).as(what).hasSizeLessThanOrEqualTo(step + 1);
        assertThat(alone.subList(0, g.tokenIds().size())).as(what).isEqualTo(g.tokenIds());
    }
}
