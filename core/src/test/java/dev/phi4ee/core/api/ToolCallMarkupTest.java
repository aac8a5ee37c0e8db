package dev.phi4ee.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The text outside tool-call markup, whole and fed in deltas of any boundaries. */
class ToolCallMarkupTest {
    private static final String ANSWER =
            "Checking.<|tool_call|>[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}]<|/tool_call|>";

    @Test
    void markupIsStrippedWhateverTheDeltaBoundaries() {
        String text = "a<b|" + ANSWER + " done <|tool_ <|tool_call|>unclosed";
        String expected = "a<b|Checking. done <|tool_ ";
        assertThat(ToolCallMarkup.strip(text)).isEqualTo(expected);
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            ToolCallMarkup m = new ToolCallMarkup();
            StringBuilder out = new StringBuilder();
            int at = 0;
            while (at < text.length()) {
                int end = Math.min(text.length(), at + 1 + random.nextInt(6));
                out.append(m.accept(text.substring(at, end)));
                at = end;
            }
            out.append(m.finish());
            assertThat(out.toString()).as("trial %d", trial).isEqualTo(expected);
        }
        assertThat(ToolCallMarkup.strip("plain <| text |>")).isEqualTo("plain <| text |>");
        assertThat(ToolCallMarkup.strip("ends with <|tool_ca")).isEqualTo("ends with <|tool_ca");
    }

    @Test
    void theSinkGetsTheTextInsideEachBlockWhateverTheDeltaBoundaries() {
        String text = "x<|tool_call|>[1]<|/tool_call|>y<|tool_call|>[<|2]<|/tool_call|><|tool_call|>[3";
        Random random = new Random(11);
        for (int trial = 0; trial < 200; trial++) {
            StringBuilder inside = new StringBuilder();
            ToolCallMarkup m = new ToolCallMarkup(new ToolCallMarkup.CallSink() {
                @Override
                public void callText(String piece) {
                    assertThat(piece).isNotEmpty();
                    inside.append(piece);
                }

                @Override
                public void callEnd() {
                    inside.append('|');
                }
            });
            StringBuilder out = new StringBuilder();
            int at = 0;
            while (at < text.length()) {
                int end = Math.min(text.length(), at + 1 + random.nextInt(6));
                out.append(m.accept(text.substring(at, end)));
                at = end;
            }
            out.append(m.finish());
            assertThat(out.toString()).isEqualTo("xy");
            assertThat(inside.toString()).as("trial %d", trial).isEqualTo("[1]|[<|2]|[3");
        }
    }

    @Test
    void outsideTextKeepsItsPlaceAmongTheSinkEvents() {
        List<String> events = new ArrayList<>();
        ToolCallMarkup m = new ToolCallMarkup(new ToolCallMarkup.CallSink() {
            @Override
            public void callText(String text) {
                events.add("call " + text);
            }

            @Override
            public void callEnd() {
                events.add("end");
            }
        });
        m.accept("a<|tool_call|>x<|/tool_call|>b<|tool_call|>y<|/tool_", text -> events.add("text " + text));
        assertThat(events).containsExactly("text a", "call x", "end", "text b", "call y");
    }
}
