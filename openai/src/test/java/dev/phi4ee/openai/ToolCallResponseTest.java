package dev.phi4ee.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.TokenUsage;
import dev.phi4ee.core.api.ToolCall;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tool calls in replies: {@code message.tool_calls}, content without the call markup, the streamed form. */
class ToolCallResponseTest {
    private static final String ANSWER =
            "Checking.<|tool_call|>[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}]<|/tool_call|>";
    private static final List<ToolCall> CALLS = List.of(new ToolCall("call_0", "get_weather", "{\"city\":\"Oslo\"}"));

    private static GenerationResult result(String text, FinishReason reason, List<ToolCall> calls) {
        return new GenerationResult(text, reason, new TokenUsage(5, 0, 0, 7), null, List.of(), calls);
    }

    @Test
    void completionCarriesToolCallsAndTheTextOutsideThem() {
        ChatResponses responses = new ChatResponses("m");
        ObjectNode withText = responses.completion(result(ANSWER, FinishReason.TOOL_CALLS, CALLS), true);
        JsonNode message = withText.at("/choices/0/message");
        assertThat(message.get("content").asText()).isEqualTo("Checking.");
        assertThat(message.at("/tool_calls/0/id").asText()).isEqualTo("call_0");
        assertThat(message.at("/tool_calls/0/type").asText()).isEqualTo("function");
        assertThat(message.at("/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(message.at("/tool_calls/0/function/arguments").asText()).isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(withText.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");

        String onlyCall = ANSWER.substring("Checking.".length());
        JsonNode noText = responses.completion(result(onlyCall, FinishReason.TOOL_CALLS, CALLS), true);
        assertThat(noText.at("/choices/0/message/content").isNull()).isTrue();

        // Without tools in the request, the text is passed through untouched and there is no tool_calls field.
        JsonNode plain = responses.completion(result(ANSWER, FinishReason.STOP, List.of()), false);
        assertThat(plain.at("/choices/0/message/content").asText()).isEqualTo(ANSWER);
        assertThat(plain.at("/choices/0/message").has("tool_calls")).isFalse();
    }

    @Test
    void streamedCallsAreOneDeltaWithIndexIdNameAndArguments() {
        List<ToolCall> two = List.of(CALLS.get(0), new ToolCall("call_1", "now", "{}"));
        JsonNode chunk = new ChatResponses("m").toolCallsChunk(two, 0, false);
        JsonNode calls = chunk.at("/choices/0/delta/tool_calls");
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1).get("index").asInt()).isEqualTo(1);
        assertThat(calls.get(1).get("id").asText()).isEqualTo("call_1");
        assertThat(calls.get(1).at("/function/name").asText()).isEqualTo("now");
        assertThat(calls.get(1).at("/function/arguments").asText()).isEqualTo("{}");
        assertThat(chunk.at("/choices/0/finish_reason").isNull()).isTrue();
    }
}
