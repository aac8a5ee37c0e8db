package dev.phi4ee.langchain4j;

import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.ModelInfo;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.TokenListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;

/** Delegates to a real engine and remembers every submitted request and handle, so tests can see what ran. */
final class RecordingEngine implements Phi4Engine {
    record Submitted(GenerationRequest request, GenerationHandle handle) {}

    private final Phi4Engine delegate;
    final List<Submitted> submitted = new CopyOnWriteArrayList<>();

    RecordingEngine(Phi4Engine delegate) {
        this.delegate = delegate;
    }

    Submitted last() {
        return submitted.get(submitted.size() - 1);
    }

    @Override
    public GenerationHandle stream(GenerationRequest request, TokenListener listener) {
        GenerationHandle handle = delegate.stream(request, listener);
        submitted.add(new Submitted(request, handle));
        return handle;
    }

    @Override
    public Flow.Publisher<String> publish(GenerationRequest request) {
        return delegate.publish(request);
    }

    @Override
    public ModelInfo info() {
        return delegate.info();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
