package dev.phi4ee.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.core.api.ToolCallMarkup;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one generation's events from the engine's decode thread (which must not block) to the LangChain4j handler,
 * in order, on a virtual thread of its own. After {@link #cancel()} or a failing handler, nothing more is delivered.
 */
final class StreamRelay implements TokenListener, StreamingHandle {
    private static final Logger LOG = LoggerFactory.getLogger(StreamRelay.class);

    private final StreamingChatResponseHandler handler;
    private final String modelName;
    private final PartialResponseContext context;
    private final boolean withTools;
    private final ToolCallMarkup markup; // touched on the engine's thread only, in event order
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("phi4-langchain4j-stream").factory());
    private volatile GenerationHandle generation;
    private volatile boolean cancelled;
    private volatile boolean finished;

    /** @param withTools the request offers tools: tool-call markup is kept out of the partial responses */
    StreamRelay(StreamingChatResponseHandler handler, String modelName, boolean withTools) {
        this.handler = handler;
        this.modelName = modelName;
        this.withTools = withTools;
        this.markup = withTools ? new ToolCallMarkup() : null;
        this.context = new PartialResponseContext(this);
    }

    void attach(GenerationHandle handle) {
        this.generation = handle;
        if (cancelled) {
            handle.cancel();
        }
    }

    @Override
    public void onText(String delta) {
        partial(markup == null ? delta : markup.accept(delta));
    }

    @Override
    public void onComplete(GenerationResult result) {
        if (markup != null) {
            partial(markup.finish());
        }
        ChatResponse response = RequestMapping.toChatResponse(result, modelName, withTools);
        List<ToolExecutionRequest> calls = response.aiMessage().toolExecutionRequests();
        for (int i = 0; i < calls.size(); i++) {
            CompleteToolCall call = new CompleteToolCall(i, calls.get(i));
            deliver(() -> handler.onCompleteToolCall(call), false);
        }
        deliver(() -> handler.onCompleteResponse(response), true);
    }

    private void partial(String text) {
        if (!text.isEmpty()) {
            deliver(() -> handler.onPartialResponse(new PartialResponse(text), context), false);
        }
    }

    @Override
    public void onError(Throwable error) {
        deliver(() -> handler.onError(Errors.map(error)), true);
    }

    @Override
    public void cancel() {
        cancelled = true;
        GenerationHandle handle = generation;
        if (handle != null) {
            handle.cancel();
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    private void deliver(Runnable event, boolean last) {
        delivery.execute(() -> {
            if (cancelled || finished) {
                return;
            }
            try {
                event.run();
            } catch (RuntimeException e) {
                // The handler failed: stop the generation, tell the handler once, deliver nothing more.
                finished = true;
                cancel();
                try {
                    handler.onError(e);
                } catch (RuntimeException again) {
                    LOG.warn("streaming handler failed in onError", again);
                }
            }
            if (last) {
                finished = true;
            }
        });
        if (last) {
            delivery.shutdown();
        }
    }
}
