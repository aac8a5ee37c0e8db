package dev.phi4ee.core.api;

import java.util.Objects;

/** One part of a chat message. Text is always encoded as plain text: it can never become a control token. */
public sealed interface ContentPart {
    record Text(String text) implements ContentPart {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /** An image, or a document (PDF, multi-page TIFF) whose pages each become one image. */
    record Image(Media media) implements ContentPart {
        public Image {
            Objects.requireNonNull(media, "media");
        }
    }

    record Audio(Media media) implements ContentPart {
        public Audio {
            Objects.requireNonNull(media, "media");
        }
    }

    static ContentPart text(String text) {
        return new Text(text);
    }

    static ContentPart image(Media media) {
        return new Image(media);
    }

    static ContentPart audio(Media media) {
        return new Audio(media);
    }
}
