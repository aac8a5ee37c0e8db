package dev.phi4ee.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.audio.Audio;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.AudioContent;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.PdfFileContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.pdf.PdfFile;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.api.ContentPart;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.ResponseFormat;
import dev.phi4ee.core.api.ToolCall;
import dev.phi4ee.core.api.ToolCallMarkup;
import dev.phi4ee.core.api.ToolChoice;
import dev.phi4ee.core.api.ToolDefinition;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Translates between LangChain4j's chat types and the engine's. Media must travel as bytes (base64 data or a
 * {@code data:} URL): remote URLs are refused rather than fetched, so a prompt can never make the JVM reach into the
 * network or the file system on someone's behalf.
 */
final class RequestMapping {
    private RequestMapping() {}

    /**
     * The engine request for a LangChain4j request whose parameters are already merged with the model's defaults.
     *
     * @param maxNewTokensFallback bound used when the request names no {@code maxOutputTokens}
     */
    static GenerationRequest toEngine(ChatRequest request, Long seed, int maxNewTokensFallback) {
        ChatRequestParameters p = request.parameters();
        refuseUnsupported(p);
        List<ChatMessage> messages = new ArrayList<>();
        for (dev.langchain4j.data.message.ChatMessage m : request.messages()) {
            messages.add(toEngine(m));
        }
        GenerationOptions.Builder options = GenerationOptions.builder()
                .maxNewTokens(p.maxOutputTokens() != null ? p.maxOutputTokens() : maxNewTokensFallback)
                .seed(seed);
        if (p.temperature() != null && p.temperature() > 0) {
            options.doSample(true).temperature(p.temperature());
        }
        if (p.topP() != null) {
            options.topP(p.topP());
        }
        if (p.topK() != null) {
            options.topK(p.topK());
        }
        if (p.stopSequences() != null) {
            options.stopSequences(p.stopSequences());
        }
        options.responseFormat(responseFormat(p.responseFormat()));
        List<ToolDefinition> tools = new ArrayList<>();
        if (p.toolSpecifications() != null) {
            for (ToolSpecification spec : p.toolSpecifications()) {
                tools.add(ToolDefinition.of(
                        spec.name(),
                        spec.description(),
                        spec.parameters() == null ? null : JsonSchemaText.of(spec.parameters())));
            }
        }
        return new GenerationRequest(messages, options.build(), tools, toolChoice(p.toolChoice()));
    }

    /** JSON with a schema is constrained to it; JSON without one to any object. */
    private static ResponseFormat responseFormat(dev.langchain4j.model.chat.request.ResponseFormat format) {
        if (format == null || format.type() != ResponseFormatType.JSON) {
            return ResponseFormat.text();
        }
        JsonSchema schema = format.jsonSchema();
        if (schema == null || schema.rootElement() == null) {
            return ResponseFormat.json();
        }
        return ResponseFormat.jsonSchema(schema.name(), JsonSchemaText.of(schema.rootElement()));
    }

    private static ToolChoice toolChoice(dev.langchain4j.model.chat.request.ToolChoice choice) {
        if (choice == null) {
            return ToolChoice.auto();
        }
        return switch (choice) {
            case AUTO -> ToolChoice.auto();
            case REQUIRED -> ToolChoice.required();
            case NONE -> ToolChoice.none();
        };
    }

    /**
     * @param withTools the request had tools: the message text is the answer outside the tool-call markup, and the
     *     calls are its tool execution requests
     */
    static ChatResponse toChatResponse(GenerationResult result, String modelName, boolean withTools) {
        AiMessage message;
        if (!withTools) {
            message = AiMessage.from(result.text());
        } else {
            String text = ToolCallMarkup.strip(result.text());
            List<ToolExecutionRequest> calls = result.toolCalls().stream()
                    .map(c -> ToolExecutionRequest.builder()
                            .id(c.id())
                            .name(c.name())
                            .arguments(c.arguments())
                            .build())
                    .toList();
            message = calls.isEmpty() ? AiMessage.from(text) : AiMessage.from(text.isEmpty() ? null : text, calls);
        }
        return ChatResponse.builder()
                .aiMessage(message)
                .tokenUsage(new TokenUsage(
                        result.usage().promptTokens(), result.usage().generatedTokens()))
                .finishReason(finishReason(result.finishReason()))
                .modelName(modelName)
                .build();
    }

    /** The engine's id of an answer's call {@code index} ({@code ToolCallFormat.parse} numbers calls in order). */
    static String callId(int index) {
        return "call_" + index;
    }

    static FinishReason finishReason(dev.phi4ee.core.api.FinishReason reason) {
        return switch (reason) {
            case STOP -> FinishReason.STOP;
            case TOOL_CALLS -> FinishReason.TOOL_EXECUTION;
            // A deadline cut the answer short, as a token bound would; the OpenAI API maps it the same way.
            case LENGTH, DEADLINE -> FinishReason.LENGTH;
            case CANCELLED -> FinishReason.OTHER;
        };
    }

    private static void refuseUnsupported(ChatRequestParameters p) {
        if (p.frequencyPenalty() != null && p.frequencyPenalty() != 0) {
            throw new UnsupportedFeatureException("frequencyPenalty is not supported by the Phi-4 chat model");
        }
        if (p.presencePenalty() != null && p.presencePenalty() != 0) {
            throw new UnsupportedFeatureException("presencePenalty is not supported by the Phi-4 chat model");
        }
    }

    private static ChatMessage toEngine(dev.langchain4j.data.message.ChatMessage message) {
        if (message instanceof SystemMessage s) {
            return ChatMessage.system(s.text());
        }
        if (message instanceof UserMessage u) {
            List<ContentPart> parts = new ArrayList<>();
            for (Content c : u.contents()) {
                parts.add(toEngine(c, parts.size()));
            }
            return ChatMessage.user(parts);
        }
        if (message instanceof AiMessage a) {
            String text = a.text() == null ? "" : a.text();
            return a.hasToolExecutionRequests() ? ChatMessage.assistant(text, calls(a)) : ChatMessage.assistant(text);
        }
        if (message instanceof ToolExecutionResultMessage r) {
            return ChatMessage.toolResult(r.id(), r.toolName(), r.text());
        }
        throw new UnsupportedFeatureException(message.type() + " messages are not supported by the Phi-4 chat model");
    }

    /**
     * The calls of an earlier turn, rendered as the model writes them (docs/decisions/tool-result-turn.md); a request
     * without an id gets the engine's {@code call_<n>}, blank arguments are {@code {}}.
     *
     * @throws InvalidInputException when arguments are not a JSON object
     */
    private static List<ToolCall> calls(AiMessage message) {
        List<ToolCall> calls = new ArrayList<>();
        for (ToolExecutionRequest request : message.toolExecutionRequests()) {
            String arguments =
                    request.arguments() == null || request.arguments().isBlank() ? "{}" : request.arguments();
            String id = request.id() == null ? "call_" + calls.size() : request.id();
            calls.add(new ToolCall(id, request.name(), arguments));
        }
        return calls;
    }

    private static ContentPart toEngine(Content content, int index) {
        String name = "content[" + index + "]";
        if (content instanceof TextContent t) {
            return ContentPart.text(t.text());
        }
        if (content instanceof ImageContent i) {
            Image image = i.image();
            return ContentPart.image(media(image.base64Data(), null, image.mimeType(), image.url(), name + " (image)"));
        }
        if (content instanceof AudioContent a) {
            Audio audio = a.audio();
            return ContentPart.audio(
                    media(audio.base64Data(), audio.binaryData(), audio.mimeType(), audio.url(), name + " (audio)"));
        }
        if (content instanceof PdfFileContent f) {
            // A document: every page becomes one image, as for a PDF sent to the engine directly.
            PdfFile pdf = f.pdfFile();
            return ContentPart.image(media(pdf.base64Data(), null, pdf.mimeType(), pdf.url(), name + " (PDF)"));
        }
        throw new UnsupportedFeatureException(
                content.type() + " content is not supported by the Phi-4 chat model (" + name + ")");
    }

    private static Media media(String base64, byte[] bytes, String mimeType, URI url, String name) {
        if (bytes != null) {
            return new Media(bytes, mimeType, name);
        }
        if (base64 != null) {
            return new Media(decodeBase64(base64, name), mimeType, name);
        }
        if (url != null && "data".equalsIgnoreCase(url.getScheme())) {
            return dataUrl(url.toString(), name);
        }
        throw new InvalidInputException(name + ": only inline media (base64 data or a data: URL) is accepted;"
                + " remote URLs are not fetched" + (url == null ? "" : " (" + url.getScheme() + ": URL given)"));
    }

    /** {@code data:[<mime>][;base64],<payload>} (RFC 2397). */
    private static Media dataUrl(String url, String name) {
        int comma = url.indexOf(',');
        if (comma < 0) {
            throw new InvalidInputException(name + ": malformed data: URL (no ',')");
        }
        String header = url.substring("data:".length(), comma);
        String payload = url.substring(comma + 1);
        if (!header.endsWith(";base64")) {
            throw new InvalidInputException(name + ": a media data: URL must be base64-encoded (';base64,')");
        }
        String mime = header.substring(0, header.length() - ";base64".length());
        return new Media(decodeBase64(payload, name), mime.isEmpty() ? null : mime, name);
    }

    /**
     * Strict base64, line breaks and spaces tolerated. Not the MIME decoder: it silently skips characters outside the
     * alphabet, so corrupt data would reach the image or audio decoder as a puzzling failure (the OpenAI API's parser
     * found the same).
     */
    private static byte[] decodeBase64(String base64, String name) {
        try {
            return Base64.getDecoder().decode(base64.replaceAll("\\s+", ""));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(name + ": invalid base64 data: " + e.getMessage());
        }
    }
}
