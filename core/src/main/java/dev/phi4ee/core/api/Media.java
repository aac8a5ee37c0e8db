package dev.phi4ee.core.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Encoded media bytes as received (a JPEG, a PDF, a WAV…) with an optional declared MIME type that overrides
 * sniffing, and an optional name used in error messages.
 */
public record Media(byte[] data, String declaredMimeType, String name) {
    public Media {
        Objects.requireNonNull(data, "data");
    }

    public static Media of(byte[] data) {
        return new Media(data, null, null);
    }

    public static Media of(Path file) {
        try {
            return new Media(Files.readAllBytes(file), null, file.getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read media file " + file, e);
        }
    }

    /** The declared type when it names a known format, else the format sniffed from the bytes. */
    public Optional<MediaFormat> format() {
        return MediaFormat.fromMimeType(declaredMimeType).or(() -> MediaFormat.sniff(data));
    }

    /** A short label for messages: the name when known, else the byte count. */
    public String label() {
        return name != null ? name : data.length + "-byte media";
    }
}
