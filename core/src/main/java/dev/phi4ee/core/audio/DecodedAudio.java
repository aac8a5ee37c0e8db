package dev.phi4ee.core.audio;

import java.util.Objects;

/**
 * A recording ready for feature extraction: mono float samples in [−1, 1] at one of the two rates the features are
 * defined for, 16 kHz or 8 kHz (the "fill-zero" path, §8.7). Produced by {@link AudioPreprocessor#decode} (which mixes
 * channels to their mean and resamples other rates) or {@link AudioPreprocessor#fromSamples}. The array is not
 * copied: callers must not modify it afterwards.
 *
 * @param samples mono samples
 * @param sampleRate 16000 or 8000
 * @param sourceSampleRate rate of the input before resampling (equal to sampleRate when none was needed)
 * @param sourceChannels channel count of the input before mixing to mono
 * @param label name for messages (file name or byte count)
 */
public record DecodedAudio(float[] samples, int sampleRate, int sourceSampleRate, int sourceChannels, String label) {
    public DecodedAudio {
        Objects.requireNonNull(samples, "samples");
        Objects.requireNonNull(label, "label");
        if (sampleRate != 16000 && sampleRate != 8000) {
            throw new IllegalArgumentException("sampleRate must be 16000 or 8000, was " + sampleRate);
        }
    }

    /** Duration in seconds. */
    public double durationSeconds() {
        return samples.length / (double) sampleRate;
    }

    @Override
    public String toString() {
        return "DecodedAudio[" + label + ", " + samples.length + " samples @ " + sampleRate + " Hz (source "
                + sourceSampleRate + " Hz, " + sourceChannels + " ch)]";
    }
}
