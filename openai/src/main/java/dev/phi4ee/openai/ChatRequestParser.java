package dev.phi4ee.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.api.ContentPart;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.ToolCall;
import dev.phi4ee.core.api.ToolChoice;
import dev.phi4ee.core.api.ToolDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Maps a Chat Completions request body to a {@link GenerationRequest}. Every field is checked by name; a field the
 * protocol has but this server cannot honour is refused (400) rather than silently ignored, so a caller never gets
 * an answer computed under settings it did not ask for.
 */
public final class ChatRequestParser {
    /** Protocol fields without effect on a single local model; accepted and ignored. */
    private static final Set<String> IGNORED = Set.of(
            "user",
            "store",
            "metadata",
            "service_tier",
            "parallel_tool_calls",
            "safety_identifier",
            "prompt_cache_key");

    /** Protocol fields this server does not implement, with the reason given to the caller. */
    private static final Map<String, String> UNSUPPORTED = Map.ofEntries(
            Map.entry("functions", "the deprecated functions field is not supported; use tools"),
            Map.entry("function_call", "the deprecated function_call field is not supported; use tool_choice"),
            Map.entry("audio", "audio output is not supported; this model answers in text"),
            Map.entry("prediction", "predicted outputs are not supported by this server"),
            Map.entry("web_search_options", "web search is not supported by this server"),
            Map.entry("reasoning_effort", "reasoning_effort is not supported by this model"),
            Map.entry("verbosity", "verbosity is not supported by this model"));

    private static final int MAX_STOP_SEQUENCES = 4;

    private final OpenAiApiConfig config;
    private final MediaUrls media;

    public ChatRequestParser(OpenAiApiConfig config) {
        this.config = config;
        this.media = new MediaUrls(config.remoteMediaPrefixes(), config.maxRequestBytes());
    }

    public ChatCall parse(JsonNode body) {
        checkFields(body);
        String model = requiredText(body, "model");
        if (!model.equals(config.modelId())) {
            throw new ApiException(
                    404,
                    "invalid_request_error",
                    "The model '" + model + "' does not exist; this server serves '" + config.modelId() + "'",
                    "model",
                    "model_not_found",
                    null);
        }
        refuseUnlessDefault(body);

        GenerationOptions.Builder options = GenerationOptions.builder();
        Integer maxTokens = positiveInt(body, "max_completion_tokens");
        if (maxTokens == null) {
            maxTokens = positiveInt(body, "max_tokens");
        }
        options.maxNewTokens(maxTokens != null ? maxTokens : config.defaultMaxTokens());

        // OpenAI's defaults: temperature 1 and top_p 1 with sampling; temperature 0 is greedy.
        double temperature = number(body, "temperature", 1.0);
        if (temperature < 0 || temperature > 2) {
            throw ApiException.invalid("temperature", "temperature must be between 0 and 2, was " + temperature);
        }
        double topP = number(body, "top_p", 1.0);
        if (!(topP > 0 && topP <= 1)) {
            throw ApiException.invalid("top_p", "top_p must be greater than 0 and at most 1, was " + topP);
        }
        options.doSample(temperature > 0).temperature(temperature).topP(topP);
        JsonNode seed = present(body, "seed");
        if (seed != null) {
            if (!seed.canConvertToLong() || !seed.isIntegralNumber()) {
                throw ApiException.invalid("seed", "seed must be an integer");
            }
            options.seed(seed.longValue());
        }
        options.stopSequences(stops(body));

        boolean stream = bool(body, "stream");
        boolean includeUsage = false;
        JsonNode streamOptions = present(body, "stream_options");
        if (streamOptions != null) {
            if (!stream) {
                throw ApiException.invalid("stream_options", "stream_options is only allowed when stream is true");
            }
            if (!streamOptions.isObject()) {
                throw ApiException.invalid("stream_options", "stream_options must be an object");
            }
            includeUsage = bool(streamOptions, "include_usage");
        }

        options.responseFormat(StructuredOutputParser.responseFormat(body));
        GenerationRequest request = request(
                messages(body),
                options.build(),
                StructuredOutputParser.tools(body),
                StructuredOutputParser.toolChoice(body));
        return new ChatCall(request, stream, includeUsage, maxTokens != null);
    }

    /** The engine's request; its cross-field checks (tool_choice naming no tool, …) become 400s. */
    private static GenerationRequest request(
            List<ChatMessage> messages, GenerationOptions options, List<ToolDefinition> tools, ToolChoice choice) {
        try {
            return new GenerationRequest(messages, options, tools, choice);
        } catch (InvalidInputException e) {
            String param = e.getMessage().startsWith("toolChoice") ? "tool_choice" : "tools";
            throw ApiException.invalid(param, e.getMessage());
        }
    }

    private static void checkFields(JsonNode body) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            String reason = UNSUPPORTED.get(name);
            if (reason != null && !body.get(name).isNull()) {
                throw ApiException.unsupported(name, reason);
            }
            if (reason == null && !IGNORED.contains(name) && !KNOWN.contains(name)) {
                throw ApiException.invalid(name, "Unrecognized request argument supplied: " + name);
            }
        }
    }

    private static final Set<String> KNOWN = Set.of(
            "model",
            "messages",
            "max_tokens",
            "max_completion_tokens",
            "temperature",
            "top_p",
            "seed",
            "stop",
            "stream",
            "stream_options",
            "n",
            "logprobs",
            "top_logprobs",
            "response_format",
            "tools",
            "tool_choice",
            "logit_bias",
            "presence_penalty",
            "frequency_penalty",
            "modalities");

    /** Parameters accepted only at their neutral value. */
    private static void refuseUnlessDefault(JsonNode body) {
        JsonNode n = present(body, "n");
        if (n != null && !(n.isIntegralNumber() && n.intValue() == 1)) {
            throw ApiException.unsupported("n", "only n = 1 is supported (one choice per request)");
        }
        JsonNode logprobs = present(body, "logprobs");
        if (logprobs != null && logprobs.asBoolean(true)) {
            throw ApiException.unsupported("logprobs", "logprobs are not supported by this server");
        }
        if (present(body, "top_logprobs") != null) {
            throw ApiException.unsupported("top_logprobs", "logprobs are not supported by this server");
        }
        JsonNode bias = present(body, "logit_bias");
        if (bias != null && !bias.isEmpty()) {
            throw ApiException.unsupported("logit_bias", "logit_bias is not supported by this server");
        }
        for (String penalty : List.of("presence_penalty", "frequency_penalty")) {
            JsonNode p = present(body, penalty);
            if (p != null && p.asDouble() != 0) {
                throw ApiException.unsupported(penalty, penalty + " is not supported; only 0 is accepted");
            }
        }
        JsonNode modalities = present(body, "modalities");
        if (modalities != null) {
            for (JsonNode m : modalities) {
                if (!"text".equals(m.asText())) {
                    throw ApiException.unsupported("modalities", "only the text output modality is supported");
                }
            }
        }
    }

    private List<ChatMessage> messages(JsonNode body) {
        JsonNode messages = present(body, "messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiException.invalid("messages", "messages must be a non-empty array");
        }
        List<ChatMessage> result = new ArrayList<>(messages.size());
        Map<String, String> calls = new HashMap<>(); // id -> tool name, of the calls made so far
        for (int i = 0; i < messages.size(); i++) {
            result.add(message(messages.get(i), "messages[" + i + "]", calls));
        }
        return result;
    }

    private ChatMessage message(JsonNode m, String param, Map<String, String> calls) {
        if (!m.isObject()) {
            throw ApiException.invalid(param, param + " must be an object");
        }
        String role = requiredText(m, "role", param + ".role");
        ChatMessage.Role r =
                switch (role) {
                    case "system", "developer" -> ChatMessage.Role.SYSTEM;
                    case "user" -> ChatMessage.Role.USER;
                    case "assistant" -> ChatMessage.Role.ASSISTANT;
                    case "tool" -> ChatMessage.Role.TOOL;
                    case "function" ->
                        throw ApiException.unsupported(
                                param + ".role", "the deprecated function role is not supported; use tool");
                    default ->
                        throw ApiException.invalid(
                                param + ".role",
                                "role must be system, developer, user, assistant or tool, was '" + role + "'");
                };
        if (present(m, "function_call") != null) {
            throw ApiException.unsupported(param + ".function_call", "the deprecated function_call is not supported");
        }
        JsonNode content = present(m, "content");
        String contentParam = param + ".content";
        JsonNode toolCalls = present(m, "tool_calls");
        if (toolCalls != null) {
            if (r != ChatMessage.Role.ASSISTANT) {
                throw ApiException.invalid(param + ".tool_calls", "only assistant messages carry tool_calls");
            }
            String text = content == null ? null : textContent(content, r, contentParam);
            List<ToolCall> made = StructuredOutputParser.toolCalls(toolCalls, param + ".tool_calls");
            made.forEach(c -> calls.put(c.id(), c.name()));
            return ChatMessage.assistant(text, made);
        }
        if (content == null) {
            throw ApiException.invalid(contentParam, contentParam + " is required");
        }
        if (r == ChatMessage.Role.TOOL) {
            String id = requiredText(m, "tool_call_id", param + ".tool_call_id");
            if (!calls.containsKey(id)) {
                throw ApiException.invalid(
                        param + ".tool_call_id",
                        "a tool message must answer a call of an earlier assistant message; no earlier tool_calls"
                                + " entry has the id '" + id + "'");
            }
            return ChatMessage.toolResult(id, calls.get(id), textContent(content, r, contentParam));
        }
        if (content.isTextual()) {
            return new ChatMessage(r, List.of(ContentPart.text(content.textValue())));
        }
        if (!content.isArray()) {
            throw ApiException.invalid(contentParam, contentParam + " must be a string or an array of parts");
        }
        List<ContentPart> parts = new ArrayList<>(content.size());
        for (int j = 0; j < content.size(); j++) {
            parts.add(part(content.get(j), r, contentParam + "[" + j + "]"));
        }
        return new ChatMessage(r, parts);
    }

    /** An assistant or tool turn's content as one text: a string or text parts. */
    private String textContent(JsonNode content, ChatMessage.Role role, String param) {
        if (content.isTextual()) {
            return content.textValue();
        }
        if (!content.isArray()) {
            throw ApiException.invalid(param, param + " must be a string or an array of parts");
        }
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < content.size(); j++) {
            if (part(content.get(j), role, param + "[" + j + "]") instanceof ContentPart.Text t) {
                text.append(t.text());
            }
        }
        return text.toString();
    }

    private ContentPart part(JsonNode p, ChatMessage.Role role, String param) {
        String type = requiredText(p, "type", param + ".type");
        if (!type.equals("text") && role != ChatMessage.Role.USER) {
            throw ApiException.invalid(
                    param + ".type", "only user messages may carry " + type + " parts; " + role.tag() + " takes text");
        }
        return switch (type) {
            case "text" -> ContentPart.text(requiredText(p, "text", param + ".text"));
            case "image_url" -> {
                JsonNode image = p.path("image_url");
                String urlParam = param + ".image_url.url";
                String url = image.isTextual() ? image.textValue() : requiredText(image, "url", urlParam);
                yield ContentPart.image(media.image(url, urlParam));
            }
            case "input_audio" -> {
                JsonNode audio = p.path("input_audio");
                String dataParam = param + ".input_audio.data";
                byte[] data = MediaUrls.base64(requiredText(audio, "data", dataParam), dataParam);
                String format = requiredText(audio, "format", param + ".input_audio.format");
                String mime =
                        switch (format.toLowerCase(Locale.ROOT)) {
                            case "wav" -> "audio/wav";
                            case "mp3" -> "audio/mpeg";
                            case "flac" -> "audio/flac";
                            default ->
                                throw ApiException.invalid(
                                        param + ".input_audio.format",
                                        "input_audio.format must be wav, mp3 or flac, was '" + format + "'");
                        };
                yield ContentPart.audio(new Media(data, mime, null));
            }
            case "file" -> {
                JsonNode file = p.path("file");
                if (present(file, "file_id") != null) {
                    throw ApiException.unsupported(
                            param + ".file.file_id", "file ids are not supported (no Files API); send file_data");
                }
                String dataParam = param + ".file.file_data";
                JsonNode name = present(file, "filename");
                yield ContentPart.image(media.fileData(
                        requiredText(file, "file_data", dataParam), name == null ? null : name.asText(), dataParam));
            }
            default ->
                throw ApiException.invalid(
                        param + ".type", "part type must be text, image_url, input_audio or file, was '" + type + "'");
        };
    }

    private static List<String> stops(JsonNode body) {
        JsonNode stop = present(body, "stop");
        if (stop == null) {
            return List.of();
        }
        List<String> stops = new ArrayList<>();
        if (stop.isTextual()) {
            stops.add(stop.textValue());
        } else if (stop.isArray()) {
            for (JsonNode s : stop) {
                if (!s.isTextual()) {
                    throw ApiException.invalid("stop", "stop must be a string or an array of strings");
                }
                stops.add(s.textValue());
            }
        } else {
            throw ApiException.invalid("stop", "stop must be a string or an array of strings");
        }
        if (stops.size() > MAX_STOP_SEQUENCES) {
            throw ApiException.invalid("stop", "at most " + MAX_STOP_SEQUENCES + " stop sequences are allowed");
        }
        if (stops.stream().anyMatch(String::isEmpty)) {
            throw ApiException.invalid("stop", "stop sequences must not be empty");
        }
        return stops;
    }

    /** The field, or null when absent or JSON null (the protocol treats both alike). */
    static JsonNode present(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    private static String requiredText(JsonNode node, String field) {
        return requiredText(node, field, field);
    }

    static String requiredText(JsonNode node, String field, String param) {
        JsonNode v = present(node, field);
        if (v == null) {
            throw ApiException.invalid(param, param + " is required");
        }
        if (!v.isTextual()) {
            throw ApiException.invalid(param, param + " must be a string");
        }
        return v.textValue();
    }

    private static Integer positiveInt(JsonNode body, String field) {
        JsonNode v = present(body, field);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1) {
            throw ApiException.invalid(field, field + " must be an integer >= 1");
        }
        return v.intValue();
    }

    private static double number(JsonNode body, String field, double absent) {
        JsonNode v = present(body, field);
        if (v == null) {
            return absent;
        }
        if (!v.isNumber()) {
            throw ApiException.invalid(field, field + " must be a number");
        }
        return v.doubleValue();
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode v = present(body, field);
        if (v == null) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiException.invalid(field, field + " must be a boolean");
        }
        return v.booleanValue();
    }
}
