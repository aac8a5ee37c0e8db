package dev.phi4ee.core.api;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Separates an answer's text from its tool-call markup. The engine streams {@code <|tool_call|>…<|/tool_call|>} as
 * text (the tool tokens are not special) and parses the calls into {@link GenerationResult#toolCalls()};
 * an OpenAI {@code content} or a LangChain4j {@code AiMessage} text is only the text outside the markup. Fed delta by delta, it holds back a suffix that may
 * still become a tag, so a streamed answer's content equals the non-streamed one. A {@link CallSink} gets the text
 * inside the markup the same way, for adapters that stream calls as they are generated.
 */
public final class ToolCallMarkup {
    public static final String OPEN = "<|tool_call|>";
    public static final String CLOSE = "<|/tool_call|>";

    /** Receives the text inside the markup, in order, as it becomes certain. */
    public interface CallSink {
        /** Text inside a {@code <|tool_call|>…<|/tool_call|>} block (possibly in several pieces). */
        void callText(String text);

        /** A block's {@code <|/tool_call|>}. */
        void callEnd();
    }

    private static final CallSink NONE = new CallSink() {
        @Override
        public void callText(String text) {}

        @Override
        public void callEnd() {}
    };

    private final StringBuilder pending = new StringBuilder();
    private final CallSink sink;
    private boolean inside;

    public ToolCallMarkup() {
        this(NONE);
    }

    public ToolCallMarkup(CallSink sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** The text outside markup in {@code text}. */
    public static String strip(String text) {
        ToolCallMarkup m = new ToolCallMarkup();
        return m.accept(text) + m.finish();
    }

    /** Feeds a delta; returns the text outside markup that is now certain (possibly empty). */
    public String accept(String delta) {
        StringBuilder out = new StringBuilder();
        accept(delta, out::append);
        return out.toString();
    }

    /**
     * Feeds a delta; the text outside markup that is now certain goes to {@code outside} (never empty), in order with
     * what the sink gets: text before a block before the block's text, text after it after its end.
     */
    public void accept(String delta, Consumer<String> outside) {
        pending.append(delta);
        while (true) {
            String tag = inside ? CLOSE : OPEN;
            int at = pending.indexOf(tag);
            if (at >= 0) {
                if (!inside) {
                    emit(outside, at);
                } else {
                    if (at > 0) {
                        sink.callText(pending.substring(0, at));
                    }
                    sink.callEnd();
                }
                pending.delete(0, at + tag.length());
                inside = !inside;
                continue;
            }
            int certain = pending.length() - partialTagSuffix(tag);
            if (!inside) {
                emit(outside, certain);
            } else if (certain > 0) {
                sink.callText(pending.substring(0, certain));
            }
            pending.delete(0, certain);
            return;
        }
    }

    private void emit(Consumer<String> outside, int end) {
        if (end > 0) {
            outside.accept(pending.substring(0, end));
        }
    }

    /**
     * At the end of the answer: held-back text that never became a tag (nothing inside an unclosed call; its held-back
     * text goes to the sink).
     */
    public String finish() {
        if (inside && !pending.isEmpty()) {
            sink.callText(pending.toString());
        }
        String rest = inside ? "" : pending.toString();
        pending.setLength(0);
        return rest;
    }

    /** Length of the longest suffix of {@link #pending} that is a proper prefix of {@code tag}. */
    private int partialTagSuffix(String tag) {
        for (int n = Math.min(tag.length() - 1, pending.length()); n > 0; n--) {
            if (endsWithPrefix(tag, n)) {
                return n;
            }
        }
        return 0;
    }

    private boolean endsWithPrefix(String tag, int n) {
        int from = pending.length() - n;
        for (int i = 0; i < n; i++) {
            if (pending.charAt(from + i) != tag.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
