package dev.phi4ee.langchain4j;

import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.ModelInfo;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.core.api.TokenUsage;
import dev.phi4ee.core.api.ToolCall;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;

/**
 * An engine that answers with scripted results, streaming each answer's text in 3-character deltas: for the mapping of
 * requests and replies, where a random-weight model could not be made to call a tool.
 */
final class ScriptedEngine implements Phi4Engine {
    final List<GenerationRequest> requests = new CopyOnWriteArrayList<>();
    private final Deque<GenerationResult> answers = new ArrayDeque<>();

    ScriptedEngine answer(String text, FinishReason reason, List<ToolCall> calls) {
        answers.add(new GenerationResult(text, reason, new TokenUsage(10, 0, 0, 5), null, List.of(), calls));
        return this;
    }

    ScriptedEngine answer(String text) {
        return answer(text, FinishReason.STOP, List.of());
    }

    GenerationRequest last() {
        return requests.get(requests.size() - 1);
    }

    @Override
    public synchronized GenerationHandle stream(GenerationRequest request, TokenListener listener) {
        requests.add(request);
        GenerationResult result = answers.remove();
        for (int i = 0; i < result.text().length(); i += 3) {
            listener.onText(result.text().substring(i, Math.min(result.text().length(), i + 3)));
        }
        listener.onComplete(result);
        CompletableFuture<GenerationResult> done = CompletableFuture.completedFuture(result);
        return new GenerationHandle() {
            @Override
            public CompletableFuture<GenerationResult> result() {
                return done;
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
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
}
