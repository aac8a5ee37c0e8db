package dev.phi4ee.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.TokenUsage;
import dev.phi4ee.core.api.ToolCall;
import dev.phi4ee.core.api.ToolCallMarkup;
import java.util.List;
import java.util.UUID;

/**
 * Response bodies as the protocol has them: {@code chat.completion} objects and {@code chat.completion.chunk}
 * events sharing one id, creation time and model.
 */
final class ChatResponses {
    private final String id;
    private final long created;
    private final String model;

    ChatResponses(String model) {
        this.id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        this.created = System.currentTimeMillis() / 1000;
        this.model = model;
    }

    String id() {
        return id;
    }

    /**
     * @param withTools the request had tools: the content is the text outside the tool-call markup, null when that is
     *     empty and there are calls
     */
    ObjectNode completion(GenerationResult result, boolean withTools) {
        ObjectNode root = header("chat.completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        String content = withTools ? ToolCallMarkup.strip(result.text()) : result.text();
        if (content.isEmpty() && !result.toolCalls().isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", content);
        }
        message.putNull("refusal");
        if (!result.toolCalls().isEmpty()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (ToolCall call : result.toolCalls()) {
                putToolCall(calls.addObject(), call);
            }
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(result.finishReason()));
        putUsage(root, result.usage());
        return root;
    }

    /** The first chunk: the assistant role with empty content, as OpenAI sends it. */
    ObjectNode roleChunk(boolean includeUsage) {
        ObjectNode chunk = chunk(includeUsage);
        ObjectNode delta = choice(chunk).putObject("delta");
        delta.put("role", "assistant");
        delta.put("content", "");
        return chunk;
    }

    ObjectNode contentChunk(String text, boolean includeUsage) {
        ObjectNode chunk = chunk(includeUsage);
        choice(chunk).putObject("delta").put("content", text);
        return chunk;
    }

    /**
     * A call's first delta, as OpenAI streams it: {@code index}, {@code id}, {@code type}, {@code function.name} and
     * empty {@code function.arguments}; the arguments follow in {@link #toolCallArgumentsChunk}s.
     */
    ObjectNode toolCallStartChunk(int index, String name, boolean includeUsage) {
        ObjectNode chunk = chunk(includeUsage);
        ObjectNode call =
                choice(chunk).putObject("delta").putArray("tool_calls").addObject();
        call.put("index", index);
        putToolCall(call, new ToolCall(callId(index), name, ""));
        return chunk;
    }

    /** More of call {@code index}'s arguments text. */
    ObjectNode toolCallArgumentsChunk(int index, String text, boolean includeUsage) {
        ObjectNode chunk = chunk(includeUsage);
        ObjectNode call =
                choice(chunk).putObject("delta").putArray("tool_calls").addObject();
        call.put("index", index);
        call.putObject("function").put("arguments", text);
        return chunk;
    }

    /**
     * Calls of a finished answer that were not streamed piecewise, each whole in one delta entry ({@code index} from
     * {@code firstIndex}, {@code id}, {@code type}, {@code function.name} and all of {@code function.arguments}),
     * which OpenAI's stream accumulators merge like piecewise deltas.
     */
    ObjectNode toolCallsChunk(List<ToolCall> toolCalls, int firstIndex, boolean includeUsage) {
        ObjectNode chunk = chunk(includeUsage);
        ArrayNode calls = choice(chunk).putObject("delta").putArray("tool_calls");
        for (int i = 0; i < toolCalls.size(); i++) {
            ObjectNode call = calls.addObject();
            call.put("index", firstIndex + i);
            putToolCall(call, toolCalls.get(i));
        }
        return chunk;
    }

    /** The engine's id of the call at {@code index} in an answer ({@code ToolCallFormat.parse} numbers them so). */
    static String callId(int index) {
        return "call_" + index;
    }

    private static void putToolCall(ObjectNode target, ToolCall call) {
        target.put("id", call.id());
        target.put("type", "function");
        ObjectNode function = target.putObject("function");
        function.put("name", call.name());
        function.put("arguments", call.arguments());
    }

    ObjectNode finishChunk(FinishReason reason, boolean includeUsage) {
        ObjectNode chunk = chunk(includeUsage);
        ObjectNode choice = choice(chunk);
        choice.putObject("delta");
        choice.put("finish_reason", finishReason(reason));
        return chunk;
    }

    /** With {@code include_usage}: a last chunk with no choices and the usage. */
    ObjectNode usageChunk(TokenUsage usage) {
        ObjectNode chunk = header("chat.completion.chunk");
        chunk.putArray("choices");
        putUsage(chunk, usage);
        return chunk;
    }

    private ObjectNode chunk(boolean includeUsage) {
        ObjectNode chunk = header("chat.completion.chunk");
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        if (includeUsage) {
            chunk.putNull("usage");
        }
        return chunk;
    }

    private static ObjectNode choice(ObjectNode chunk) {
        return (ObjectNode) chunk.get("choices").get(0);
    }

    private ObjectNode header(String object) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        root.putNull("system_fingerprint");
        return root;
    }

    private static void putUsage(ObjectNode root, TokenUsage usage) {
        ObjectNode u = root.putObject("usage");
        u.put("prompt_tokens", usage.promptTokens());
        u.put("completion_tokens", usage.generatedTokens());
        u.put("total_tokens", usage.totalTokens());
    }

    /** A deadline cut the answer short, which the protocol can only call {@code length}. */
    static String finishReason(FinishReason reason) {
        return switch (reason) {
            case STOP -> "stop";
            case TOOL_CALLS -> "tool_calls";
            case LENGTH, DEADLINE -> "length";
            case CANCELLED -> "stop";
        };
    }
}
