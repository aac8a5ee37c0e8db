package dev.phi4ee.camel;

import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * Decides whether a byte body (a {@code file:} route's text file, an HTTP body) is prompt text rather than media: it is
 * when its content type is {@code text/*}, or when no media format is recognised in its leading bytes and it decodes
 * as UTF-8 without control characters other than tab, line and page breaks (and is not blank).
 */
final class BodyText {

    private BodyText() {}

    /** The content type the exchange declares for its body: {@code Content-Type}, else the file's probed type. */
    static String declaredContentType(Exchange exchange) {
        String type = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        return type != null ? type : exchange.getMessage().getHeader(Exchange.FILE_CONTENT_TYPE, String.class);
    }

    /**
     * The text of {@code media} when it is text, else empty (it is media, or unrecognised bytes).
     *
     * @throws InvalidInputException when the content type says text but the bytes are not valid in its charset
     */
    static Optional<String> of(Exchange exchange, Media media, String contentType) {
        if (isText(contentType)) {
            Charset charset = charset(exchange, contentType);
            return Optional.of(decode(media.data(), charset)
                    .orElseThrow(() -> new InvalidInputException("phi4: the body (" + media.label() + ") is declared "
                            + contentType + " but is not valid " + charset.name() + " text")));
        }
        if (media.format().isPresent()) {
            return Optional.empty();
        }
        return decode(media.data(), StandardCharsets.UTF_8).filter(t -> !t.isBlank() && isPlainText(t));
    }

    private static boolean isText(String contentType) {
        return contentType != null
                && contentType.trim().toLowerCase(Locale.ROOT).startsWith("text/");
    }

    /** The {@code charset} parameter of the content type, else the exchange's charset, else UTF-8. */
    private static Charset charset(Exchange exchange, String contentType) {
        String name = null;
        for (String param : contentType.split(";")) {
            String p = param.trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                name = p.substring("charset=".length()).replace("\"", "").trim();
            }
        }
        if (name == null) {
            name = exchange.getProperty(Exchange.CHARSET_NAME, String.class);
        }
        if (name == null) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw new InvalidInputException("phi4: unknown charset '" + name + "' for a " + contentType + " body", e);
        }
    }

    private static Optional<String> decode(byte[] bytes, Charset charset) {
        try {
            String text = charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return Optional.of(text.startsWith("\uFEFF") ? text.substring(1) : text);
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** No NUL or other control characters than tab, line feed, carriage return and form feed: not binary data. */
    private static boolean isPlainText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
