package dev.phi4ee.core.api;

import java.util.Optional;

/**
 * Container formats recognised from their leading bytes. The bytes decide, never a file name: enterprise inputs
 * arrive with wrong or missing extensions.
 */
public enum MediaFormat {
    JPEG(MediaKind.IMAGE, "image/jpeg"),
    PNG(MediaKind.IMAGE, "image/png"),
    GIF(MediaKind.IMAGE, "image/gif"),
    BMP(MediaKind.IMAGE, "image/bmp"),
    TIFF(MediaKind.IMAGE, "image/tiff"),
    WEBP(MediaKind.IMAGE, "image/webp"),
    PDF(MediaKind.DOCUMENT, "application/pdf"),
    WAV(MediaKind.AUDIO, "audio/wav"),
    FLAC(MediaKind.AUDIO, "audio/flac"),
    MP3(MediaKind.AUDIO, "audio/mpeg");

    private final MediaKind kind;
    private final String mimeType;

    MediaFormat(MediaKind kind, String mimeType) {
        this.kind = kind;
        this.mimeType = mimeType;
    }

    public MediaKind kind() {
        return kind;
    }

    public String mimeType() {
        return mimeType;
    }

    /** Sniffs the format from the first bytes; empty when nothing matches. */
    public static Optional<MediaFormat> sniff(byte[] data) {
        if (data == null || data.length < 4) {
            return Optional.empty();
        }
        if (u(data, 0) == 0xFF && u(data, 1) == 0xD8 && u(data, 2) == 0xFF) {
            return Optional.of(JPEG);
        }
        if (startsWith(data, 0, 0x89, 'P', 'N', 'G')) {
            return Optional.of(PNG);
        }
        if (startsWith(data, 0, 'G', 'I', 'F', '8')) {
            return Optional.of(GIF);
        }
        if (startsWith(data, 0, 'I', 'I', 42, 0) || startsWith(data, 0, 'M', 'M', 0, 42)) {
            return Optional.of(TIFF);
        }
        if (startsWith(data, 0, '%', 'P', 'D', 'F')) {
            return Optional.of(PDF);
        }
        if (startsWith(data, 0, 'f', 'L', 'a', 'C')) {
            return Optional.of(FLAC);
        }
        if (data.length >= 12 && startsWith(data, 0, 'R', 'I', 'F', 'F')) {
            if (startsWith(data, 8, 'W', 'E', 'B', 'P')) {
                return Optional.of(WEBP);
            }
            if (startsWith(data, 8, 'W', 'A', 'V', 'E')) {
                return Optional.of(WAV);
            }
        }
        if (startsWith(data, 0, 'B', 'M') && data.length >= 26) {
            return Optional.of(BMP);
        }
        if (startsWith(data, 0, 'I', 'D', '3') || (u(data, 0) == 0xFF && (u(data, 1) & 0xE0) == 0xE0)) {
            return Optional.of(MP3);
        }
        return Optional.empty();
    }

    /** Maps a MIME type (e.g. a header override) to a format; empty when unknown. */
    public static Optional<MediaFormat> fromMimeType(String mimeType) {
        if (mimeType == null) {
            return Optional.empty();
        }
        String m = mimeType.trim().toLowerCase(java.util.Locale.ROOT);
        int semicolon = m.indexOf(';');
        if (semicolon >= 0) {
            m = m.substring(0, semicolon).trim();
        }
        for (MediaFormat f : values()) {
            if (f.mimeType.equals(m)) {
                return Optional.of(f);
            }
        }
        return switch (m) {
            case "image/jpg", "image/pjpeg" -> Optional.of(JPEG);
            case "audio/x-wav", "audio/wave", "audio/vnd.wave" -> Optional.of(WAV);
            case "audio/x-flac" -> Optional.of(FLAC);
            case "audio/mp3" -> Optional.of(MP3);
            case "image/x-ms-bmp" -> Optional.of(BMP);
            default -> Optional.empty();
        };
    }

    private static int u(byte[] d, int i) {
        return d[i] & 0xFF;
    }

    private static boolean startsWith(byte[] d, int offset, int... bytes) {
        if (d.length < offset + bytes.length) {
            return false;
        }
        for (int i = 0; i < bytes.length; i++) {
            if (u(d, offset + i) != bytes[i]) {
                return false;
            }
        }
        return true;
    }
}
