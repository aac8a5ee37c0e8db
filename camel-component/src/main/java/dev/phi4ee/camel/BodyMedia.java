package dev.phi4ee.camel;

import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.Exchange;
import org.apache.camel.NoTypeConversionAvailableException;
import org.apache.camel.component.file.GenericFile;

/**
 * Reads a media body ({@code byte[]}, {@code InputStream}, {@code File}, {@code Path}, {@code GenericFile},
 * {@link Media}) into {@link Media}. The format is sniffed from the bytes later; a declared type overrides it.
 */
final class BodyMedia {

    private BodyMedia() {}

    /** True for the body types that carry media rather than prompt text. */
    static boolean isMedia(Object body) {
        return body instanceof byte[]
                || body instanceof InputStream
                || body instanceof File
                || body instanceof Path
                || body instanceof GenericFile<?>
                || body instanceof Media;
    }

    static Media read(Exchange exchange, Object body, String declaredMimeType) {
        try {
            return switch (body) {
                case Media m -> declaredMimeType == null ? m : new Media(m.data(), declaredMimeType, m.name());
                case byte[] bytes -> new Media(bytes, declaredMimeType, null);
                case InputStream in -> new Media(in.readAllBytes(), declaredMimeType, null);
                case File file -> new Media(Files.readAllBytes(file.toPath()), declaredMimeType, file.getName());
                case Path path ->
                    new Media(Files.readAllBytes(path), declaredMimeType, String.valueOf(path.getFileName()));
                case GenericFile<?> file ->
                    new Media(genericFileBytes(exchange, file), declaredMimeType, file.getFileName());
                default ->
                    throw new InvalidInputException("phi4: cannot read media from a body of type "
                            + body.getClass().getName());
            };
        } catch (IOException e) {
            throw new UncheckedIOException("phi4: cannot read the media body", e);
        }
    }

    private static byte[] genericFileBytes(Exchange exchange, GenericFile<?> file) throws IOException {
        if (file.getFile() instanceof File local) {
            return Files.readAllBytes(local.toPath());
        }
        // Remote files (ftp:, …) hold their content in the body once downloaded; the type converters know how.
        try {
            return exchange.getContext().getTypeConverter().mandatoryConvertTo(byte[].class, exchange, file.getBody());
        } catch (NoTypeConversionAvailableException e) {
            throw new InvalidInputException("phi4: cannot read the content of " + file.getFileName(), e);
        }
    }
}
