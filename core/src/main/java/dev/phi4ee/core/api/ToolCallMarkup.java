package dev.phi4ee.core.api;

/**
 * Separates an answer's text from its tool-call markup. The engine streams {@code <|tool_call|>…<|/tool_call|>} as
 * text (the tool tokens are not special) and parses the calls into {@link GenerationResult#toolCalls()};
 * an OpenAI {@code content} or a LangChain4j {@code AiMessage} text is only the text outside the markup. Fed delta by delta, it holds back a suffix that may
 * still become a tag, so a streamed answer's content equals the non-streamed one.
 */
public final class ToolCallMarkup {
    public static final String OPEN = "<|tool_call|>";
    public static final String CLOSE = "<|/tool_call|>";

    private final StringBuilder pending = new StringBuilder();
    private boolean inside;

    /** The text outside markup in {@code text}. */
    public static String strip(String text) {
        ToolCallMarkup m = new ToolCallMarkup();
        return m.accept(text) + m.finish();
    }

    /** Feeds a delta; returns the text outside markup that is now certain (possibly empty). */
    public String accept(String delta) {
        pending.append(delta);
        StringBuilder out = new StringBuilder();
        while (true) {
            String tag = inside ? CLOSE : OPEN;
            int at = pending.indexOf(tag);
            if (at >= 0) {
                if (!inside) {
                    out.append(pending, 0, at);
                }
                pending.delete(0, at + tag.length());
                inside = !inside;
                continue;
            }
            int certain = pending.length() - partialTagSuffix(tag);
            if (!inside) {
                out.append(pending, 0, certain);
            }
            pending.delete(0, certain);
            return out.toString();
        }
    }

    /** At the end of the answer: held-back text that never became a tag (nothing inside an unclosed call). */
    public String finish() {
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
