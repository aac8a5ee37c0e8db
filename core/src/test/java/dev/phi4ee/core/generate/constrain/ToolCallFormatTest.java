package dev.phi4ee.core.generate.constrain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.ToolCall;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading calls back from the model's text: arguments are the text the model wrote, so streamed pieces add up to it. */
class ToolCallFormatTest {
    @Test
    void argumentsAreTheValueAsWritten() {
        String text = "Sure.<|tool_call|>[{\"name\":\"f\",\"arguments\":{\"x\":1.50,\"s\":\"\\u00e9\\n\"}},"
                + "{\"name\":\"g\",\"arguments\":{}}]<|/tool_call|> and <|tool_call|>{\"name\":\"h\","
                + "\"arguments\":\"{\\\"a\\\":1}\"}<|/tool_call|><|tool_call|>[{\"name\":\"broken\"";
        assertThat(ToolCallFormat.parse(text))
                .containsExactly(
                        new ToolCall("call_0", "f", "{\"x\":1.50,\"s\":\"\\u00e9\\n\"}"),
                        new ToolCall("call_1", "g", "{}"),
                        new ToolCall("call_2", "h", "{\"a\":1}"));
    }

    @Test
    void callsWithoutNameOrArgumentsAndBlocksThatDoNotParseAreLeftOut() {
        assertThat(ToolCallFormat.parse("<|tool_call|>[{\"name\":\"f\"},{\"arguments\":{}},7,"
                        + "{\"arguments\":{\"k\":[1,{\"z\":null}]},\"name\":\"g\",\"extra\":{\"q\":1}}]<|/tool_call|>"))
                .containsExactly(new ToolCall("call_0", "g", "{\"k\":[1,{\"z\":null}]}"));
        assertThat(ToolCallFormat.parse("<|tool_call|>[{\"name\":\"f\",\"arguments\":{}}<|/tool_call|>"))
                .isEmpty();
        assertThat(ToolCallFormat.parse("no calls")).isEqualTo(List.of());
    }

    @Test
    void callsJsonIsTheModelsForm() {
        assertThat(ToolCallFormat.callsJson(
                        List.of(new ToolCall("a", "f\"q", "{\"x\": 1}"), new ToolCall("b", "g", "{}"))))
                .isEqualTo("[{\"name\":\"f\\\"q\",\"arguments\":{\"x\": 1}},{\"name\":\"g\",\"arguments\":{}}]");
    }
}
