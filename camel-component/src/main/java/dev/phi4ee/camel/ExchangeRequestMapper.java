package dev.phi4ee.camel;

import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.MediaFormat;
import dev.phi4ee.core.api.MediaKind;
import dev.phi4ee.core.api.ResponseFormat;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;

/**
 * Turns an exchange into a {@link GenerationRequest}: the body gives the parts (a prompt, media, or a list of both,
 * in order), headers override the endpoint's options. Media go before the prompt text, as in Phi-4's own examples
 * ({@code <|user|><|image_1|>What is shown?<|end|>}).
 */
final class ExchangeRequestMapper {

    private final Phi4Configuration configuration;
    private final Expression prompt;
    private final StructuredOutput structured;
    private final GenerationOptions baseOptions;

    ExchangeRequestMapper(Phi4Configuration configuration, Expression prompt, StructuredOutput structured) {
        this.configuration = configuration;
        this.prompt = prompt;
        this.structured = structured;
        this.baseOptions = optionsOf(configuration).toBuilder()
                .responseFormat(structured.format())
                .build();
    }

    GenerationRequest toRequest(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof GenerationRequest request) {
            return request;
        }
        GenerationRequest.Builder builder = GenerationRequest.builder();
        String system = exchange.getMessage()
                .getHeader(Phi4Constants.SYSTEM_PROMPT, configuration.getSystemPrompt(), String.class);
        if (system != null && !system.isBlank()) {
            builder.system(system);
        }
        String promptText = promptText(exchange);
        if (body instanceof CharSequence text) {
            // A text body is the prompt, unless a prompt is configured (it reaches the body through ${body}).
            promptText = promptText == null ? text.toString() : promptText;
        } else {
            String declaredType = declaredMediaType(exchange);
            boolean whole = !(body instanceof Collection<?>) && !(body instanceof Object[]);
            for (Object element : elements(body)) {
                Optional<String> text = addPart(exchange, builder, element, declaredType);
                if (text.isPresent()) {
                    // A text file as the whole body is the prompt too; as a list element, a text part in its place.
                    if (!whole) {
                        builder.user(text.get());
                    } else if (promptText == null) {
                        promptText = text.get();
                    }
                }
            }
        }
        if (promptText != null) {
            builder.user(promptText);
        }
        return builder.options(options(exchange))
                .tools(structured.tools(exchange))
                .toolChoice(structured.toolChoice(exchange))
                .build();
    }

    private String promptText(Exchange exchange) {
        String header = exchange.getMessage().getHeader(Phi4Constants.PROMPT, String.class);
        if (header != null) {
            return header;
        }
        return prompt == null ? null : prompt.evaluate(exchange, String.class);
    }

    private static List<?> elements(Object body) {
        return switch (body) {
            case null -> List.of();
            case Collection<?> c -> List.copyOf(c);
            case Object[] array -> Arrays.asList(array);
            default -> List.of(body);
        };
    }

    /**
     * Adds a media element to the request; returns the text of a text element instead (a CharSequence, or bytes that
     * {@link BodyText} finds to be text, unless the media-type header declares media).
     */
    private static Optional<String> addPart(
            Exchange exchange, GenerationRequest.Builder builder, Object element, String declaredType) {
        if (element instanceof CharSequence text) {
            return Optional.of(text.toString());
        }
        if (!BodyMedia.isMedia(element)) {
            throw new InvalidInputException("phi4: a body element of type "
                    + (element == null ? "null" : element.getClass().getName())
                    + " is neither text nor media (byte[], InputStream, File, Path, GenericFile, Media)");
        }
        Media media = BodyMedia.read(exchange, element, declaredType);
        if (declaredType == null && !(element instanceof Media)) {
            Optional<String> text = BodyText.of(exchange, media, BodyText.declaredContentType(exchange));
            if (text.isPresent()) {
                return text;
            }
        }
        MediaFormat format = media.format()
                .orElseThrow(() -> new InvalidInputException("phi4: unrecognised media (" + media.label() + ")"
                        + ": not an image, PDF or audio format known by its leading bytes, nor UTF-8 text; set the "
                        + Phi4Constants.MEDIA_TYPE + " header if the type is known"));
        if (format.kind() == MediaKind.AUDIO) {
            builder.audio(media);
        } else {
            builder.image(media);
        }
        return Optional.empty();
    }

    /** The header override, else a Content-Type that names a known format; unknown overrides are errors. */
    private static String declaredMediaType(Exchange exchange) {
        String override = exchange.getMessage().getHeader(Phi4Constants.MEDIA_TYPE, String.class);
        if (override != null) {
            if (MediaFormat.fromMimeType(override).isEmpty()) {
                throw new InvalidInputException("phi4: unsupported media type '" + override + "' in header "
                        + Phi4Constants.MEDIA_TYPE + "; known: "
                        + Arrays.stream(MediaFormat.values())
                                .map(MediaFormat::mimeType)
                                .toList());
            }
            return override;
        }
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        return MediaFormat.fromMimeType(contentType).isPresent() ? contentType : null;
    }

    private GenerationOptions options(Exchange exchange) {
        Integer maxNewTokens = exchange.getMessage().getHeader(Phi4Constants.MAX_NEW_TOKENS, Integer.class);
        Double temperature = exchange.getMessage().getHeader(Phi4Constants.TEMPERATURE, Double.class);
        Long seed = exchange.getMessage().getHeader(Phi4Constants.SEED, Long.class);
        ResponseFormat format = structured.headerFormat(exchange);
        if (maxNewTokens == null && temperature == null && seed == null && format == null) {
            return baseOptions;
        }
        GenerationOptions.Builder b = baseOptions.toBuilder();
        if (format != null) {
            b.responseFormat(format);
        }
        if (maxNewTokens != null) {
            b.maxNewTokens(maxNewTokens);
        }
        if (temperature != null) {
            b.doSample(true).temperature(temperature);
        }
        if (seed != null) {
            b.seed(seed);
        }
        return b.build();
    }

    /** Validated once per endpoint: a wrong option fails the endpoint's start, not every exchange. */
    static GenerationOptions optionsOf(Phi4Configuration c) {
        GenerationOptions.Builder b = GenerationOptions.builder().maxNewTokens(c.getMaxOutputLength());
        if (c.getTemperature() != null) {
            b.doSample(true).temperature(c.getTemperature());
        }
        if (c.getTopP() != null) {
            b.doSample(true).topP(c.getTopP());
        }
        if (c.getTopK() != null) {
            b.doSample(true).topK(c.getTopK());
        }
        if (c.getSeed() != null) {
            b.seed(c.getSeed());
        }
        if (c.getStopSequences() != null && !c.getStopSequences().isBlank()) {
            b.stopSequences(Arrays.stream(c.getStopSequences().split(","))
                    .filter(s -> !s.isEmpty())
                    .toList());
        }
        if (c.getTimeout() > 0) {
            b.timeout(Duration.ofMillis(c.getTimeout()));
        }
        return b.build();
    }
}
