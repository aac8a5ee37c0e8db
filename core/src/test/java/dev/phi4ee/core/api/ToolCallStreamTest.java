package dev.phi4ee.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.generate.constrain.ToolCallFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Calls streamed while written: whatever the delta boundaries, each call starts once with its name, its argument
 * pieces add up to the arguments the engine parses from the whole text ({@link ToolCallFormat#parse}), and it completes
 * once, after its last piece, when its block closes whole.
 */
class ToolCallStreamTest {
    static final String TEXT =
            "Let me see.<|tool_call|>[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"O\\\"s}lo\","
                    + "\"tags\":[\"a]\",{\"b\":null}],\"n\":-1.50}},{\"name\":\"now\",\"arguments\":{}}]<|/tool_call|> then "
                    + "<|tool_call|>[ {\"arguments\": {\"x\": [1, 2]}, \"name\": \"late\\u0021\"},"
                    + "{\"name\":\"s\",\"arguments\":\"{\\\"q\\\":1}\",\"extra\":{\"name\":\"no\"}},{\"name\":\"z\"},"
                    + "{\"name\":\"k\",\"arguments\":7}]<|/tool_call|>";

    /** Streams {@code text} in random deltas; returns each reported call as name + concatenated arguments. */
    static List<String> stream(String text, Random random) {
        ToolCallStream deltas = new ToolCallStream();
        ToolCallMarkup markup = new ToolCallMarkup(deltas);
        List<String> names = new ArrayList<>();
        List<StringBuilder> arguments = new ArrayList<>();
        int completed = 0;
        int at = 0;
        while (at <= text.length()) {
            int end = Math.min(text.length(), at + 1 + random.nextInt(7));
            if (at == text.length()) {
                markup.finish();
            } else {
                markup.accept(text.substring(at, end));
            }
            for (ToolCallStream.Event e : deltas.drain()) {
                switch (e) {
                    case ToolCallStream.Start s -> {
                        assertThat(s.index()).isEqualTo(names.size());
                        names.add(s.name());
                        arguments.add(new StringBuilder());
                    }
                    case ToolCallStream.Arguments a -> {
                        assertThat(a.index()).isEqualTo(names.size() - 1).isGreaterThanOrEqualTo(completed);
                        assertThat(a.text()).isNotEmpty();
                        arguments.get(a.index()).append(a.text());
                    }
                    case ToolCallStream.Complete c -> {
                        assertThat(c.index()).isEqualTo(completed).isLessThan(names.size());
                        completed++;
                    }
                }
            }
            at = at == text.length() ? at + 1 : end;
        }
        assertThat(completed).as("every call of a closed block completes").isEqualTo(names.size());
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
        ToolCallStream deltas = new ToolCallStream();
        ToolCallMarkup markup = new ToolCallMarkup(deltas);
        markup.accept("<|tool_call|>[{\"name\":\"f\",\"arguments\":{\"city\":\"Os");
        assertThat(deltas.drain())
                .containsExactly(new ToolCallStream.Start(0, "f"), new ToolCallStream.Arguments(0, "{\"city\":\"Os"));
        markup.accept("lo\"}}]");
        assertThat(deltas.drain()).containsExactly(new ToolCallStream.Arguments(0, "lo\"}"));
        markup.accept("<|/tool_call|>");
        assertThat(deltas.drain()).containsExactly(new ToolCallStream.Complete(0));
        assertThat(deltas.rest(List.of(new ToolCall("call_0", "f", "{\"city\":\"Oslo\"}"))))
                .isEmpty();
        ToolCall missed = new ToolCall("call_1", "g", "{}");
        assertThat(deltas.rest(List.of(new ToolCall("call_0", "f", "{}"), missed)))
                .containsExactly(missed);
    }

    @Test
    void aBlockCompletesItsCallsWhenItClosesWholeOnly() {
        String first =
                "<|tool_call|>[{\"name\":\"f\",\"arguments\":{}},{\"name\":\"g\",\"arguments\":[1]}]<|/tool_call|>";
        String cut = "<|tool_call|>[{\"name\":\"h\",\"arguments\":{\"a\":1}},{\"name\":\"i\",\"arguments\":{\"b\"";
        for (String end : List.of("", "<|/tool_call|>")) {
            ToolCallStream deltas = new ToolCallStream();
            ToolCallMarkup markup = new ToolCallMarkup(deltas);
            markup.accept(first);
            assertThat(deltas.drain())
                    .containsExactly(
                            new ToolCallStream.Start(0, "f"),
                            new ToolCallStream.Arguments(0, "{}"),
                            new ToolCallStream.Start(1, "g"),
                            new ToolCallStream.Arguments(1, "[1]"),
                            new ToolCallStream.Complete(0),
                            new ToolCallStream.Complete(1));
            markup.accept(cut + end);
            markup.finish();
            // The engine drops the cut block whole, so none of its calls completes (h's object did close).
            assertThat(ToolCallFormat.parse(first + cut + end))
                    .extracting(ToolCall::name)
                    .containsExactly("f", "g");
            assertThat(deltas.drain())
                    .as("block ending %s", end)
                    .containsExactly(
                            new ToolCallStream.Start(2, "h"),
                            new ToolCallStream.Arguments(2, "{\"a\":1}"),
                            new ToolCallStream.Start(3, "i"),
                            new ToolCallStream.Arguments(3, "{\"b\""));
        }
    }
}
