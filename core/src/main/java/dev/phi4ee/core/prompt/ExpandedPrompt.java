package dev.phi4ee.core.prompt;

import dev.phi4ee.core.api.ModelFormatException;

/**
 * A prompt with every media placeholder expanded to its feature rows (phi4mm-reference.md §9): {@code ids} is what
 * the embedding graph gets as {@code input_ids}; the embedding graph scatters {@code image_features} rows into the
 * image-token positions and {@code audio_features} rows into the audio-token positions, in order.
 */
public final class ExpandedPrompt {
    private final int[] ids;
    private final int imageTokens;
    private final int audioTokens;
    private final InputMode mode;

    ExpandedPrompt(int[] ids, int imageTokens, int audioTokens, InputMode mode) {
        this.ids = ids;
        this.imageTokens = imageTokens;
        this.audioTokens = audioTokens;
        this.mode = mode;
    }

    /** The expanded ids; the array is shared, not copied: do not modify it. */
    public int[] ids() {
        return ids;
    }

    public int length() {
        return ids.length;
    }

    /** Number of image-token positions = rows the vision graph must produce (Σ num_img_tokens). */
    public int imageTokens() {
        return imageTokens;
    }

    /** Number of audio-token positions = rows the speech graph must produce (Σ audio token counts). */
    public int audioTokens() {
        return audioTokens;
    }

    /** Input mode from the media counts: decides the LoRA adapter and {@code audio_projection_mode}. */
    public InputMode mode() {
        return mode;
    }

    /**
     * Checks the encoders' outputs against the placeholders before the embedding graph runs.
     *
     * @throws ModelFormatException when a graph produced a different number of feature rows than the preprocessing
     *     predicted (the model does not follow the token-count formulas of §7.10 / §8.9)
     */
    public void requireFeatureRows(long imageFeatureRows, long audioFeatureRows) {
        if (imageFeatureRows != imageTokens || audioFeatureRows != audioTokens) {
            throw new ModelFormatException("feature rows do not match the prompt's placeholders: image_features has "
                    + imageFeatureRows + " rows for " + imageTokens + " image tokens, audio_features has "
                    + audioFeatureRows + " rows for " + audioTokens + " audio tokens");
        }
    }
}
