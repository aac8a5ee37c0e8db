package dev.phi4ee.core.prompt;

/**
 * The original processor's {@code input_mode}, derived from which media a request carries; it selects the decoder's
 * LoRA adapter and the speech graph's projection (phi4mm-reference.md §5.2).
 */
public enum InputMode {
    LANGUAGE(0, Adapter.NONE),
    VISION(1, Adapter.VISION),
    SPEECH(2, Adapter.SPEECH),
    VISION_SPEECH(3, Adapter.VISION);

    private final int value;
    private final Adapter adapter;

    InputMode(int value, Adapter adapter) {
        this.value = value;
        this.adapter = adapter;
    }

    /** The mode of a request with {@code imageCount} images (document pages count as images) and audio clips. */
    public static InputMode of(int imageCount, int audioCount) {
        if (imageCount < 0 || audioCount < 0) {
            throw new IllegalArgumentException("media counts must be >= 0, were " + imageCount + ", " + audioCount);
        }
        if (imageCount > 0) {
            return audioCount > 0 ? VISION_SPEECH : VISION;
        }
        return audioCount > 0 ? SPEECH : LANGUAGE;
    }

    /** The integer the original processor emits ({@code LANGUAGE} 0 … {@code VISION_SPEECH} 3). */
    public int value() {
        return value;
    }

    /**
     * The {@code int64[1]} value of the speech graph's {@code audio_projection_mode} input: the integer mode, as the
     * reference runtime feeds it (2 picks the speech projection, 1 and 3 the vision-speech one). The speech graph only
     * runs for {@link #SPEECH} and {@link #VISION_SPEECH}.
     */
    public long audioProjectionMode() {
        return value;
    }

    /** The decoder LoRA adapter for this mode: vision for 1 and 3, speech for 2, none for 0. */
    public Adapter adapter() {
        return adapter;
    }

    public boolean hasImages() {
        return this == VISION || this == VISION_SPEECH;
    }

    public boolean hasAudio() {
        return this == SPEECH || this == VISION_SPEECH;
    }
}
