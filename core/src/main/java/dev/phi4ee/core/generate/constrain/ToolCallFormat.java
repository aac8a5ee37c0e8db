package dev.phi4ee.core.generate.constrain;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.ToolCall;
import dev.phi4ee.core.api.ToolCallMarkup;
import dev.phi4ee.core.api.ToolChoice;
import dev.phi4ee.core.api.ToolDefinition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Phi-4's function-calling format. Tools go into the system message between {@code <|tool|>} and {@code <|/tool|>} as
 * a JSON list of {@code {"name", "description", "parameters"}} (Microsoft's Phi-4-mini model card, "Tool-enabled
 * function-calling format"; the multimodal model's chat template renders a system message's {@code tools} the same
 * way, reference §6.3). The model answers with {@code <|tool_call|>[{"name": …, "arguments": {…}}]<|/tool_call|>} —
 * the form the Berkeley Function-Calling Leaderboard's Phi handler parses (gorilla, {@code phi_fc.py}); a single object
 * instead of a list is accepted when parsing. The constrained form is compact, one to {@link #MAX_CALLS} calls.
 */
public final class ToolCallFormat {
    public static final String CALL = ToolCallMarkup.OPEN;
    public static final String CALL_END = ToolCallMarkup.CLOSE;
    static final int MAX_CALLS = 8;

    /** System text when a request with tools has no system message (the model card's example). */
    static final String DEFAULT_SYSTEM = "You are a helpful assistant with some tools.";

    private ToolCallFormat() {}

    /** The tools of {@code request} as the JSON list the system message carries. */
    public static String toolsJson(List<ToolDefinition> tools) {
        ArrayNode list = Json.MAPPER.createArrayNode();
        for (ToolDefinition t : tools) {
            ObjectNode o = list.addObject();
            o.put("name", t.name());
            o.put("description", t.description());
            o.set("parameters", SchemaCompiler.parse(t.parametersSchema(), "tool parameters"));
        }
        return Json.compact(list);
    }

    /**
     * The request with its tools rendered into the first system message (one is added first when there is none); the
     * request itself when it has no tools.
     */
    public static GenerationRequest withToolsInPrompt(GenerationRequest request) {
        if (request.tools().isEmpty()) {
            return request;
        }
        String json = toolsJson(request.tools());
        List<ChatMessage> messages = new ArrayList<>(request.messages());
        if (messages.getFirst().role() == ChatMessage.Role.SYSTEM) {
            ChatMessage s = messages.getFirst();
            messages.set(0, new ChatMessage(ChatMessage.Role.SYSTEM, s.parts(), json));
        } else {
            messages.addFirst(ChatMessage.system(DEFAULT_SYSTEM, json));
        }
        return new GenerationRequest(messages, request.options()); // the constraint is made from the original
    }

    /**
     * Checks that each call's arguments are a JSON object; they are rendered as they are, the model's own text.
     *
     * @throws InvalidInputException when a call's arguments are not a JSON object
     */
    public static List<ToolCall> checked(List<ToolCall> calls) {
        for (ToolCall call : calls) {
            JsonNode arguments;
            try {
                arguments = Json.MAPPER.readTree(call.arguments());
            } catch (Exception e) {
                arguments = null;
            }
            if (arguments == null || !arguments.isObject()) {
                throw new InvalidInputException("the arguments of tool call '" + call.name() + "' (" + call.id()
                        + ") are not a JSON object: " + call.arguments());
            }
        }
        return calls;
    }

    /**
     * The text between {@link #CALL} and {@link #CALL_END} for {@code calls}, as the model writes it:
     * {@code [{"name":…,"arguments":{…}}]}, compact; the arguments as they are (see {@link #parse}).
     */
    public static String callsJson(List<ToolCall> calls) {
        StringBuilder s = new StringBuilder("[");
        for (ToolCall call : calls) {
            s.append(s.length() == 1 ? "" : ",")
                    .append("{\"name\":")
                    .append(Json.quote(call.name()))
                    .append(",\"arguments\":")
                    .append(call.arguments())
                    .append('}');
        }
        return s.append(']').toString();
    }

    /** The grammar of one call block for {@code tools} (only the named one for a NAMED choice). */
    static Node block(List<ToolDefinition> tools, ToolChoice choice) {
        List<Node> calls = new ArrayList<>();
        for (ToolDefinition t : tools) {
            if (choice.mode() == ToolChoice.Mode.NAMED && !t.name().equals(choice.name())) {
                continue;
            }
            calls.add(new Node.Seq(
                    Node.Lit.of("{\"name\":" + Json.quote(t.name()) + ",\"arguments\":"),
                    SchemaCompiler.node(t.parametersSchema()),
                    Node.Lit.of("}")));
        }
        Node call = calls.size() == 1 ? calls.getFirst() : new Node.Alt(calls.toArray(Node[]::new));
        return new Node.Seq(
                new Node.Special(256), new Node.Arr(new Node[0], call, 1, MAX_CALLS), new Node.Special(257));
    }

    static List<String> specials() {
        return List.of(CALL, CALL_END);
    }

    /**
     * The calls in {@code text}: each {@code <|tool_call|>…<|/tool_call|>} block (the end mark may be missing at the
     * end of the text) holding a JSON list of, or one, {@code {"name", "arguments"}} object. Blocks that do not parse
     * are left out. Ids are {@code call_0}, {@code call_1}, … in order; arguments are the model's text of the value.
     */
    public static List<ToolCall> parse(String text) {
        List<ToolCall> calls = new ArrayList<>();
        int at = text.indexOf(CALL);
        while (at >= 0) {
            int from = at + CALL.length();
            int end = text.indexOf(CALL_END, from);
            String body = (end < 0 ? text.substring(from) : text.substring(from, end)).strip();
            addCalls(body, calls);
            at = end < 0 ? -1 : text.indexOf(CALL, end + CALL_END.length());
        }
        return calls;
    }

    private static void addCalls(String body, List<ToolCall> calls) {
        List<ToolCall> found = new ArrayList<>();
        try (JsonParser p = Json.MAPPER.createParser(body)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t == null) {
                        return;
                    }
                    addCall(p, body, found, calls.size());
                }
            } else if (t == JsonToken.START_OBJECT) {
                addCall(p, body, found, calls.size());
            }
        } catch (IOException e) {
            return; // a block that does not parse is left out whole
        }
        calls.addAll(found);
    }

    /**
     * The call object at the parser ({@code {"name", "arguments"}}, other fields ignored), if it has both; its
     * arguments are the text of the value as written (a string value: its content), so they equal what was streamed.
     */
    private static void addCall(JsonParser p, String body, List<ToolCall> found, int before) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        String name = null;
        String arguments = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("name") && value == JsonToken.VALUE_STRING) {
                name = p.getText();
            } else if (field.equals("arguments") && value == JsonToken.VALUE_STRING) {
                arguments = p.getText();
            } else if (field.equals("arguments")) {
                int from = (int) p.currentTokenLocation().getCharOffset();
                p.skipChildren();
                arguments = body.substring(from, (int) p.currentLocation().getCharOffset());
            } else {
                p.skipChildren();
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new IOException("not a call object");
        }
        if (name != null && arguments != null) {
            found.add(new ToolCall("call_" + (before + found.size()), name, arguments));
        }
    }
}
