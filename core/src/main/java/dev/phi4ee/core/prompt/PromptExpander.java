package dev.phi4ee.core.prompt;

import dev.phi4ee.core.api.ContextLengthExceededException;
import dev.phi4ee.core.api.InvalidInputException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Expands a templated prompt at id level (phi4mm-reference.md §9): the chat template puts exactly one placeholder id
 * per image ({@code image_token_id}, 200010 in the release) and per audio clip ({@code audio_token_id}, 200011), and
 * each placeholder becomes as many copies as that item has feature rows, items consumed in order of appearance. Same
 * result as the reference's string expansion, because user text never tokenizes to a placeholder id (§6.3).
 */
public final class PromptExpander {
    private final int imageTokenId;
    private final int audioTokenId;

    /** @param imageTokenId and audioTokenId as read from the model configuration */
    public PromptExpander(int imageTokenId, int audioTokenId) {
        if (imageTokenId < 0 || audioTokenId < 0 || imageTokenId == audioTokenId) {
            throw new IllegalArgumentException("placeholder ids must be distinct and >= 0, were image " + imageTokenId
                    + ", audio " + audioTokenId);
        }
        this.imageTokenId = imageTokenId;
        this.audioTokenId = audioTokenId;
    }

    public int imageTokenId() {
        return imageTokenId;
    }

    public int audioTokenId() {
        return audioTokenId;
    }

    /**
     * The length {@link #expand} will produce, computed without building it, so that the context window can be
     * checked before any encoder runs.
     *
     * @param templateIds the prompt with one placeholder id per item
     * @param imageTokenCounts {@code num_img_tokens} of each image, in order (§7.10)
     * @param audioTokenCounts audio token count of each clip, in order (§8.9)
     * @throws InvalidInputException when the placeholders do not match the items, or a count is not positive
     */
    public int promptLength(int[] templateIds, int[] imageTokenCounts, int[] audioTokenCounts) {
        long imageTokens = sum("image", imageTokenCounts);
        long audioTokens = sum("audio", audioTokenCounts);
        requirePlaceholders(templateIds, imageTokenCounts.length, audioTokenCounts.length);
        long length = (long) templateIds.length
                - imageTokenCounts.length
                - audioTokenCounts.length
                + imageTokens
                + audioTokens;
        if (length > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException("expanded prompt of " + length + " tokens is too long");
        }
        return (int) length;
    }

    /**
     * Checks the context window (§9 budget): prompt tokens (media expanded) plus {@code maxNewTokens} must not exceed
     * the model's {@code max_length}.
     *
     * @throws ContextLengthExceededException with the three numbers otherwise
     */
    public static void checkContextWindow(int promptTokens, int maxNewTokens, int maxLength) {
        if ((long) promptTokens + maxNewTokens > maxLength) {
            throw new ContextLengthExceededException(promptTokens, maxNewTokens, maxLength);
        }
    }

    /**
     * Replaces the k-th image placeholder by {@code imageTokenCounts[k]} copies of the image id, likewise for audio.
     *
     * @throws InvalidInputException when the placeholders do not match the items, or a count is not positive
     */
    public ExpandedPrompt expand(int[] templateIds, int[] imageTokenCounts, int[] audioTokenCounts) {
        int length = promptLength(templateIds, imageTokenCounts, audioTokenCounts);
        int[] out = new int[length];
        int at = 0;
        int image = 0;
        int audio = 0;
        int imageTokens = 0;
        int audioTokens = 0;
        for (int id : templateIds) {
            int copies;
            if (id == imageTokenId) {
                copies = imageTokenCounts[image++];
                imageTokens += copies;
            } else if (id == audioTokenId) {
                copies = audioTokenCounts[audio++];
                audioTokens += copies;
            } else {
                out[at++] = id;
                continue;
            }
            Arrays.fill(out, at, at + copies, id);
            at += copies;
        }
        // Invariants of §9: every position is filled and the token counts equal the feature rows to be scattered.
        if (at != length
                || imageTokens != (int) sum("image", imageTokenCounts)
                || audioTokens != (int) sum("audio", audioTokenCounts)) {
            throw new IllegalStateException("expansion produced " + at + " ids, expected " + length);
        }
        return new ExpandedPrompt(
                out, imageTokens, audioTokens, InputMode.of(imageTokenCounts.length, audioTokenCounts.length));
    }

    private void requirePlaceholders(int[] templateIds, int images, int audios) {
        Objects.requireNonNull(templateIds, "templateIds");
        int imagePlaceholders = 0;
        int audioPlaceholders = 0;
        for (int id : templateIds) {
            if (id == imageTokenId) {
                imagePlaceholders++;
            } else if (id == audioTokenId) {
                audioPlaceholders++;
            }
        }
        if (imagePlaceholders != images || audioPlaceholders != audios) {
            throw new InvalidInputException("the prompt has " + imagePlaceholders + " image placeholder(s) (id "
                    + imageTokenId + ") for " + images + " image(s) and " + audioPlaceholders
                    + " audio placeholder(s) (id " + audioTokenId + ") for " + audios
                    + " audio clip(s); each item needs exactly one placeholder");
        }
    }

    private static long sum(String kind, int[] counts) {
        Objects.requireNonNull(counts, kind + " token counts");
        long total = 0;
        for (int k = 0; k < counts.length; k++) {
            if (counts[k] < 1) {
                throw new InvalidInputException(kind + " " + (k + 1) + " of " + counts.length + " yields " + counts[k]
                        + " tokens; every item must give at least one");
            }
            total += counts[k];
        }
        return total;
    }
}
