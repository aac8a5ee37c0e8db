package dev.phi4ee.samples.routes;

import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.ModelInfo;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.Timings;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.core.api.TokenUsage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/** The engine the sample tests run on. */
final class SampleEngines {

    private SampleEngines() {}

    static Phi4Engine open() {
        return new Phi4Engine() {
            @Override
            public GenerationHandle stream(GenerationRequest request, TokenListener listener) {
                String text = "positive " + request.messages().size();
                listener.onText(text);
                CompletableFuture<GenerationResult> f = CompletableFuture.supplyAsync(() -> new GenerationResult(
                        text,
                        FinishReason.STOP,
                        new TokenUsage(1, 0, 0, 1),
                        new Timings(Duration.ZERO, Duration.ZERO, Duration.ZERO, 0),
                        List.of()));
                return new GenerationHandle() {
                    @Override
                    public CompletableFuture<GenerationResult> result() {
                        return f;
                    }

                    @Override
                    public void cancel() {}
                };
            }

            @Override
            public Flow.Publisher<String> publish(GenerationRequest request) {
                throw new UnsupportedOperationException();
            }

            @Override
            public ModelInfo info() {
                return new ModelInfo(Path.of("stub"), "phi4mm", 4096, 200064, "cpu", "float32", true, true);
            }

            @Override
            public void close() {}
        };
    }
}
