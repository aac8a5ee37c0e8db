package dev.phi4ee.ejb;

import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.MediaFormat;
import dev.phi4ee.core.api.MediaKind;
import dev.phi4ee.core.api.ResponseFormat;
import dev.phi4ee.core.api.ToolChoice;
import dev.phi4ee.core.api.ToolDefinition;
import java.time.Duration;

/** Maps a validated {@link Phi4Request} to the engine's request: media first, then the prompt. */
final class GenerationRequests {

    private GenerationRequests() {}

    static GenerationRequest of(Phi4Request r) {
        GenerationRequest.Builder b = GenerationRequest.builder();
        if (r.getSystemPrompt() != null && !r.getSystemPrompt().isBlank()) {
            b.system(r.getSystemPrompt());
        }
        if (r.getMedia() != null) {
            for (MediaInput input : r.getMedia()) {
                Media media = new Media(input.getData(), input.getMimeType(), input.getName());
                MediaFormat format = media.format()
                        .orElseThrow(() -> new InvalidInputException("unrecognised media " + media.label()
                                + ": not a known image, PDF or audio format; set mimeType if the type is known"));
                if (format.kind() == MediaKind.AUDIO) {
                    b.audio(media);
                } else {
                    b.image(media);
                }
            }
        }
        if (r.getPrompt() != null && !r.getPrompt().isBlank()) {
            b.user(r.getPrompt());
        }
        if (r.getTools() != null) {
            for (ToolInput tool : r.getTools()) {
                b.tool(ToolDefinition.of(tool.getName(), tool.getDescription(), tool.getParameters()));
            }
        }
        return b.options(options(r)).toolChoice(toolChoice(r.getToolChoice())).build();
    }

    /** OpenAI's response_format types; the schema is checked (and compiled) by the engine's ResponseFormat. */
    private static ResponseFormat responseFormat(ResponseFormatInput f) {
        if (f == null || f.getType() == null || f.getType().equals("text")) {
            return ResponseFormat.text();
        }
        return switch (f.getType()) {
            case "json_object" -> ResponseFormat.json();
            case "json_schema" -> {
                if (f.getSchema() == null) {
                    throw new InvalidInputException("responseFormat.schema is required for type json_schema");
                }
                yield ResponseFormat.jsonSchema(f.getName(), f.getSchema());
            }
            default ->
                throw new InvalidInputException(
                        "responseFormat.type must be text, json_object or json_schema, was '" + f.getType() + "'");
        };
    }

    private static ToolChoice toolChoice(String choice) {
        if (choice == null || choice.isBlank()) {
            return ToolChoice.auto();
        }
        return switch (choice) {
            case "auto" -> ToolChoice.auto();
            case "none" -> ToolChoice.none();
            case "required" -> ToolChoice.required();
            default -> ToolChoice.named(choice);
        };
    }

    private static GenerationOptions options(Phi4Request r) {
        GenerationOptions.Builder o = GenerationOptions.builder();
        if (r.getMaxNewTokens() != null) {
            o.maxNewTokens(r.getMaxNewTokens());
        }
        if (r.getTemperature() != null) {
            o.doSample(true).temperature(r.getTemperature());
        }
        if (r.getTopP() != null) {
            o.doSample(true).topP(r.getTopP());
        }
        if (r.getTopK() != null) {
            o.doSample(true).topK(r.getTopK());
        }
        if (r.getSeed() != null) {
            o.seed(r.getSeed());
        }
        if (r.getStopSequences() != null) {
            o.stopSequences(r.getStopSequences());
        }
        if (r.getTimeoutMillis() != null) {
            o.timeout(Duration.ofMillis(r.getTimeoutMillis()));
        }
        return o.responseFormat(responseFormat(r.getResponseFormat())).build();
    }
}
