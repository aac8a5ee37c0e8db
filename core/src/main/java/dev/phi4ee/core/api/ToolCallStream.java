package dev.phi4ee.core.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows tool calls while the model writes them, for adapters that stream calls (OpenAI's {@code tool_calls}
 * deltas, LangChain4j's partial tool calls). Fed the text inside {@code <|tool_call|>…} blocks by a
 * {@link ToolCallMarkup} (a JSON list of, or one, {@code {"name", "arguments"}} object, the form the engine parses),
 * it reports a call's start (index and name) once its arguments begin, then the arguments' text piece by piece, then,
 * when the block closes whole, that the call is complete. The pieces add up to the arguments the engine parses at the
 * end, which are the value's text as written; calls the scan could not follow are left to {@link #rest}. Indexes
 * count calls across blocks, as the engine's {@code call_<n>} ids do. Not thread-safe: one answer, fed in order.
 */
public final class ToolCallStream implements ToolCallMarkup.CallSink {
    /** What {@link #drain} reports. */
    public sealed interface Event {}

    /** A call begins: its name is known and its arguments begin. */
    public record Start(int index, String name) implements Event {}

    /** More of a call's arguments text (never empty). */
    public record Arguments(int index, String text) implements Event {}

    /**
     * The block holding the call closed ({@code <|/tool_call|>}) with all its JSON closed: every piece of the call's
     * arguments has been reported. A block cut short (token bound) completes none of its calls, as the engine's parse
     * drops it whole.
     */
    public record Complete(int index) implements Event {}

    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private enum Value {
        NONE,
        NAME,
        ARGUMENTS,
        SKIP
    }

    private final List<Event> events = new ArrayList<>();
    private int started; // calls reported so far, in this answer
    private int blockFirst; // index of the first call reported in the current block

    // Lexical state within the current block.
    private int depth;
    private boolean topIsArray;
    private boolean inString;
    private boolean escape;

    // The current call object, at callDepth (its fields' depth), or none (callDepth < 0).
    private int callDepth = -1;
    private boolean expectKey;
    private final StringBuilder key = new StringBuilder();
    private boolean readingKey;
    private String lastKey;
    private boolean afterColon; // a value may start
    private Value value = Value.NONE;
    private boolean valueIsScalar; // a number or literal: ends at ',' or '}' (arguments of this kind are sent whole)
    private boolean valueIsString; // arguments as a JSON string are sent whole, decoded, as the engine reads them
    private final StringBuilder raw = new StringBuilder(); // the name, or arguments not yet reported
    private String name;
    private String pendingArguments; // arguments seen whole before they could be reported
    private int index = -1; // the current call's index once reported
    private final StringBuilder piece = new StringBuilder(); // arguments text of this feed, not yet an event

    /** The events since the last call, in order. */
    public List<Event> drain() {
        flushPiece();
        if (events.isEmpty()) {
            return List.of(); // the common case (text outside calls): nothing allocated
        }
        List<Event> out = List.copyOf(events);
        events.clear();
        return out;
    }

    /** Calls of the final result the scan did not report (sent whole); none when the stream followed them all. */
    public List<ToolCall> rest(List<ToolCall> finalCalls) {
        return finalCalls.size() > started ? finalCalls.subList(started, finalCalls.size()) : List.of();
    }

    @Override
    public void callText(String text) {
        for (int i = 0; i < text.length(); i++) {
            accept(text.charAt(i));
        }
        flushPiece();
    }

    @Override
    public void callEnd() {
        flushPiece();
        if (depth == 0 && !inString && callDepth < 0) {
            for (int i = blockFirst; i < started; i++) {
                events.add(new Complete(i));
            }
        }
        blockFirst = started;
        depth = 0;
        topIsArray = false;
        inString = false;
        escape = false;
        endCall();
    }

    private void accept(char c) {
        if (inString) {
            stringChar(c);
            return;
        }
        boolean atFields = callDepth >= 0 && depth == callDepth;
        if (atFields && value != Value.NONE && valueIsScalar && (c == ',' || c == '}')) {
            endValue();
        }
        if (Character.isWhitespace(c)) {
            if (value == Value.ARGUMENTS && !(atFields && !valueIsScalar)) {
                argumentsChar(c);
            }
            return;
        }
        if (atFields && afterColon) {
            startValue(c);
        }
        if (value == Value.ARGUMENTS) {
            argumentsChar(c);
        }
        switch (c) {
            case '"' -> {
                inString = true;
                if (atFields && expectKey) {
                    readingKey = true;
                    key.setLength(0);
                }
            }
            case '{', '[' -> {
                if (depth == 0 && c == '[') {
                    topIsArray = true;
                } else if (c == '{' && callDepth < 0 && depth == (topIsArray ? 1 : 0)) {
                    callDepth = depth + 1;
                    expectKey = true;
                }
                depth++;
            }
            case '}', ']' -> {
                depth--;
                if (callDepth >= 0 && depth == callDepth && value != Value.NONE && !valueIsScalar) {
                    endValue(); // a container value closed
                } else if (callDepth >= 0 && depth == callDepth - 1) {
                    endCall();
                }
            }
            case ':' -> afterColon = atFields && lastKey != null && value == Value.NONE;
            case ',' -> {
                if (atFields) {
                    expectKey = true;
                }
            }
            default -> {}
        }
    }

    private void stringChar(char c) {
        boolean closing = !escape && c == '"';
        escape = !escape && c == '\\';
        if (closing) {
            inString = false;
        }
        if (readingKey) {
            if (closing) {
                readingKey = false;
                expectKey = false;
                lastKey = decode(key.toString());
            } else {
                key.append(c);
            }
        } else if (value == Value.NAME) {
            if (closing) {
                name = decode(raw.toString());
                raw.setLength(0);
                value = Value.NONE;
                reportPending();
            } else {
                raw.append(c);
            }
        } else if (value == Value.ARGUMENTS) {
            argumentsChar(c);
            if (closing && valueIsString && depth == callDepth) {
                endValue();
            }
        }
    }

    private void startValue(char c) {
        afterColon = false;
        valueIsScalar = c != '{' && c != '[' && c != '"';
        valueIsString = c == '"';
        if ("name".equals(lastKey) && c == '"') {
            value = Value.NAME;
            raw.setLength(0);
        } else if ("arguments".equals(lastKey)) {
            value = Value.ARGUMENTS;
            raw.setLength(0);
            if (name != null && !valueIsString && !valueIsScalar) {
                report(); // an object or list: streamed as it comes
            }
        } else {
            value = Value.SKIP;
        }
    }

    private void argumentsChar(char c) {
        if (index >= 0) {
            piece.append(c);
        } else {
            raw.append(c);
        }
    }

    private void endValue() {
        if (value == Value.ARGUMENTS) {
            flushPiece();
            if (index < 0) {
                String text = raw.toString();
                pendingArguments = valueIsString ? decode(text.substring(1, text.length() - 1)) : text.strip();
                raw.setLength(0);
                if (name != null) {
                    reportPending();
                }
            }
        }
        value = Value.NONE;
        valueIsScalar = false;
        valueIsString = false;
        lastKey = null;
    }

    private void endCall() {
        callDepth = -1;
        expectKey = false;
        readingKey = false;
        lastKey = null;
        afterColon = false;
        value = Value.NONE;
        raw.setLength(0);
        name = null;
        index = -1;
        pendingArguments = null;
    }

    private void report() {
        index = started++;
        events.add(new Start(index, name));
    }

    private void reportPending() {
        if (pendingArguments == null || index >= 0) {
            return;
        }
        report();
        if (!pendingArguments.isEmpty()) {
            events.add(new Arguments(index, pendingArguments));
        }
        pendingArguments = null;
    }

    private void flushPiece() {
        if (!piece.isEmpty()) {
            events.add(new Arguments(index, piece.toString()));
            piece.setLength(0);
        }
    }

    /** The text of a JSON string's content (escapes resolved); the raw content when it is not valid JSON. */
    private static String decode(String content) {
        try {
            return MAPPER.readValue("\"" + content + "\"", String.class);
        } catch (JsonProcessingException e) {
            return content;
        }
    }
}
