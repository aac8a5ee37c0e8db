package dev.phi4ee.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.ToolCall;
import dev.phi4ee.core.api.ToolCallMarkup;
import dev.phi4ee.core.generate.constrain.ToolCallFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Calls streamed while written: whatever the delta boundaries, each call starts once with its name, and its argument
 * pieces add up to the arguments the engine parses from the whole text ({@link ToolCallFormat#parse}).
 */
class ToolCallDeltasTest {
    static final String TEXT =
            "Let me see.<|tool_call|>[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"O\\\"s}lo\","
                    + "\"tags\":[\"a]\",{\"b\":null}],\"n\":-1.50}},{\"name\":\"now\",\"arguments\":{}}]<|/tool_call|> then "
                    + "<|tool_call|>[ {\"arguments\": {\"x\": [1, 2]}, \"name\": \"late\\u0021\"},"
                    + "{\"name\":\"s\",\"arguments\":\"{\\\"q\\\":1}\",\"extra\":{\"name\":\"no\"}},{\"name\":\"z\"},"
                    + "{\"name\":\"k\",\"arguments\":7}]<|/tool_call|>";

    /** Streams {@code text} in random deltas; returns each reported call as name + concatenated arguments. */
    static List<String> stream(String text, Random random) {
        ToolCallDeltas deltas = new ToolCallDeltas();
        ToolCallMarkup markup = new ToolCallMarkup(deltas);
        List<String> names = new ArrayList<>();
        List<StringBuilder> arguments = new ArrayList<>();
        int at = 0;
        while (at <= text.length()) {
            int end = Math.min(text.length(), at + 1 + random.nextInt(7));
            if (at == text.length()) {
                markup.finish();
            } else {
                markup.accept(text.substring(at, end));
            }
            for (ToolCallDeltas.Event e : deltas.drain()) {
                switch (e) {
                    case ToolCallDeltas.Start s -> {
                        assertThat(s.index()).isEqualTo(names.size());
                        names.add(s.name());
                        arguments.add(new StringBuilder());
                    }
                    case ToolCallDeltas.Arguments a -> {
                        assertThat(a.index()).isEqualTo(names.size() - 1);
                        assertThat(a.text()).isNotEmpty();
                        arguments.get(a.index()).append(a.text());
                    }
                }
            }
            at = at == text.length() ? at + 1 : end;
        }
        List<String> calls = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            calls.add(names.get(i) + " " + arguments.get(i));
        }
        return calls;
    }

    @Test
    void argumentPiecesAddUpToTheParsedArguments() {
        List<ToolCall> parsed = ToolCallFormat.parse(TEXT);
        assertThat(parsed).extracting(ToolCall::name).containsExactly("get_weather", "now", "late!", "s", "k");
        List<String> expected =
                parsed.stream().map(c -> c.name() + " " + c.arguments()).toList();
        Random random = new Random(5);
        for (int trial = 0; trial < 300; trial++) {
            assertThat(stream(TEXT, random)).as("trial %d", trial).isEqualTo(expected);
        }
    }

    @Test
    void anObjectArgumentStartsBeforeItEnds() {
        ToolCallDeltas deltas = new ToolCallDeltas();
        ToolCallMarkup markup = new ToolCallMarkup(deltas);
        markup.accept("<|tool_call|>[{\"name\":\"f\",\"arguments\":{\"city\":\"Os");
        assertThat(deltas.drain())
                .containsExactly(new ToolCallDeltas.Start(0, "f"), new ToolCallDeltas.Arguments(0, "{\"city\":\"Os"));
        markup.accept("lo\"}}]<|/tool_call|>");
        assertThat(deltas.drain()).containsExactly(new ToolCallDeltas.Arguments(0, "lo\"}"));
        assertThat(deltas.rest(List.of(new ToolCall("call_0", "f", "{\"city\":\"Oslo\"}"))))
                .isEmpty();
        ToolCall missed = new ToolCall("call_1", "g", "{}");
        assertThat(deltas.rest(List.of(new ToolCall("call_0", "f", "{}"), missed)))
                .containsExactly(missed);
    }
}
