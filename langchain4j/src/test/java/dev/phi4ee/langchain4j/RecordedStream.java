package dev.phi4ee.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Records a streamed answer's handler events in order, and checks that its tool calls add up. */
final class RecordedStream implements StreamingChatResponseHandler {
    /** Every event, in order: a String (partial text), PartialToolCall, CompleteToolCall or ChatResponse. */
    final List<Object> events = new CopyOnWriteArrayList<>();

    private final CompletableFuture<ChatResponse> complete = new CompletableFuture<>();

    @Override
    public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
        events.add(partial.text());
    }

    @Override
    public void onPartialToolCall(PartialToolCall call, PartialToolCallContext context) {
        assertThat(context.streamingHandle().isCancelled()).isFalse();
        events.add(call);
    }

    @Override
    public void onCompleteToolCall(CompleteToolCall call) {
        events.add(call);
    }

    @Override
    public void onCompleteResponse(ChatResponse response) {
        events.add(response);
        complete.complete(response);
    }

    @Override
    public void onError(Throwable error) {
        complete.completeExceptionally(error);
    }

    ChatResponse response() throws Exception {
        return complete.get(2, TimeUnit.MINUTES);
    }

    <T> List<T> all(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<PartialToolCall> pieces(int index) {
        return all(PartialToolCall.class).stream()
                .filter(p -> p.index() == index)
                .toList();
    }

    /**
     * The complete calls are the final message's requests, in index order; each call's pieces carry its index, id and
     * name, add up to its arguments and come before it completes; the complete response comes last.
     */
    ChatResponse assertCallsAddUp() throws Exception {
        ChatResponse response = response();
        List<ToolExecutionRequest> requests = response.aiMessage().toolExecutionRequests();
        List<CompleteToolCall> completes = all(CompleteToolCall.class);
        assertThat(completes).extracting(CompleteToolCall::toolExecutionRequest).isEqualTo(requests);
        for (int i = 0; i < completes.size(); i++) {
            ToolExecutionRequest request = requests.get(i);
            CompleteToolCall complete = completes.get(i);
            assertThat(complete.index()).isEqualTo(i);
            assertThat(request.id()).isEqualTo("call_" + i);
            List<PartialToolCall> pieces = pieces(i);
            assertThat(pieces).allSatisfy(p -> {
                assertThat(p.id()).isEqualTo(request.id());
                assertThat(p.name()).isEqualTo(request.name());
                assertThat(p.partialArguments()).isNotEmpty();
                assertThat(events.indexOf(p)).isLessThan(events.indexOf(complete));
            });
            assertThat(String.join(
                            "",
                            pieces.stream()
                                    .map(PartialToolCall::partialArguments)
                                    .toList()))
                    .as("call %d", i)
                    .isEqualTo(request.arguments());
        }
        assertThat(all(PartialToolCall.class))
                .allSatisfy(p -> assertThat(p.index()).isLessThan(completes.size()));
        assertThat(events.getLast()).isSameAs(response);
        return response;
    }
}
