package dev.phi4ee.core.api;

/**
 * The media exceeds a configured limit (pixel budget read from the header, page count, duration). Raised before
 * the expensive decoding starts, so a decompression bomb costs nothing but its header.
 */
public class MediaTooLargeException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    public MediaTooLargeException(String message) {
        super(message);
    }
}
