package dev.phi4ee.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.core.api.ToolCallMarkup;
import dev.phi4ee.core.api.ToolCallStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one generation's events from the engine's decode thread (which must not block) to the LangChain4j handler,
 * in order, on a virtual thread of its own. After {@link #cancel()} or a failing handler, nothing more is delivered.
 *
 * <p>Tool calls go out as LangChain4j's streaming providers send them: a partial tool call (index, {@code call_<n>}
 * id, name) for each piece of a call's arguments as the model writes them, a complete tool call once the call's block
 * has closed, and calls not completed by then (a block the scan could not follow or left unclosed) at the end, before
 * the complete response. The pieces of a call add up to its complete call's arguments and to the final message's
 * execution request.
 */
final class StreamRelay implements TokenListener, StreamingHandle {
    private static final Logger LOG = LoggerFactory.getLogger(StreamRelay.class);

    private final StreamingChatResponseHandler handler;
    private final String modelName;
    private final PartialResponseContext context;
    private final PartialToolCallContext callContext;
    private final boolean withTools;
    private final ToolCallMarkup markup; // touched on the engine's thread only, in event order
    private final ToolCallStream calls; // the calls inside the markup; with the lists below, engine's thread only
    private final List<String> callNames = new ArrayList<>(); // by call index, as started
    private final List<StringBuilder> callArguments = new ArrayList<>(); // by call index: the pieces so far
    private int completedCalls; // calls completed so far (they complete in index order)
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
        this.calls = withTools ? new ToolCallStream() : null;
        this.markup = withTools ? new ToolCallMarkup(calls) : null;
        this.context = new PartialResponseContext(this);
        this.callContext = new PartialToolCallContext(this);
    }

    void attach(GenerationHandle handle) {
        this.generation = handle;
        if (cancelled) {
            handle.cancel();
        }
    }

    @Override
    public void onText(String delta) {
        if (markup == null) {
            partial(delta);
        } else {
            // Text after a block in the same delta goes out after the block's call events, text before it before them.
            markup.accept(delta, text -> {
                toolCallEvents();
                partial(text);
            });
            toolCallEvents();
        }
    }

    @Override
    public void onComplete(GenerationResult result) {
        if (markup != null) {
            partial(markup.finish());
            toolCallEvents();
        }
        ChatResponse response = RequestMapping.toChatResponse(result, modelName, withTools);
        List<ToolExecutionRequest> requests = response.aiMessage().toolExecutionRequests();
        for (int i = completedCalls; i < requests.size(); i++) {
            ToolExecutionRequest request = requests.get(i);
            if (i >= callNames.size() && !request.arguments().isEmpty()) {
                partialToolCall(i, request.name(), request.arguments()); // a call the scan missed: one piece
            }
            completeToolCall(i, request);
        }
        deliver(() -> handler.onCompleteResponse(response), true);
    }

    private void toolCallEvents() {
        for (ToolCallStream.Event event : calls.drain()) {
            switch (event) {
                case ToolCallStream.Start s -> {
                    callNames.add(s.name());
                    callArguments.add(new StringBuilder());
                }
                case ToolCallStream.Arguments a -> {
                    callArguments.get(a.index()).append(a.text());
                    partialToolCall(a.index(), callNames.get(a.index()), a.text());
                }
                case ToolCallStream.Complete c ->
                    completeToolCall(
                            c.index(),
                            ToolExecutionRequest.builder()
                                    .id(RequestMapping.callId(c.index()))
                                    .name(callNames.get(c.index()))
                                    .arguments(callArguments.get(c.index()).toString())
                                    .build());
            }
        }
    }

    private void partialToolCall(int index, String name, String arguments) {
        PartialToolCall call = PartialToolCall.builder()
                .index(index)
                .id(RequestMapping.callId(index))
                .name(name)
                .partialArguments(arguments)
                .build();
        deliver(() -> handler.onPartialToolCall(call, callContext), false);
    }

    private void completeToolCall(int index, ToolExecutionRequest request) {
        completedCalls = index + 1;
        CompleteToolCall call = new CompleteToolCall(index, request);
        deliver(() -> handler.onCompleteToolCall(call), false);
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
