package dev.phi4ee.core.audio;

import dev.phi4ee.core.api.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where every decoder delivers its PCM, block by block: checks the stream's parameters and declared length against
 * the limits before anything is decoded, rejects non-finite samples, mixes channels to their mean, resamples on the fly
 * and keeps only the mono output (16 or 8 kHz). Memory is therefore proportional to the output, and an over-long
 * recording is stopped as soon as its header (or, without one, its decoded length) passes the limit.
 *
 * <p>Rate policy (reference §8.2 and issue 5): 16 kHz as is; 8 kHz as is, for the fill-zero path; any other rate of
 * at least 8 kHz resampled to 16 kHz; below 8 kHz rejected.
 */
final class SampleAccumulator {
    static final int MIN_SAMPLE_RATE = 8000;
    /** Above this a header is taken as corrupt rather than as a real recording. */
    static final int MAX_SAMPLE_RATE = 384_000;

    static final int MAX_CHANNELS = 32;

    private final String label;
    private final double maxSeconds;

    private int sourceRate;
    private int channels;
    private long maxInputFrames;
    private long inputFrames;
    private PolyphaseResampler resampler;
    private int outputRate;
    private float[] mono = new float[4096];
    private float[] output = new float[0];
    private int outputLength;

    SampleAccumulator(String label, double maxSeconds) {
        this.label = label;
        this.maxSeconds = maxSeconds;
    }

    /**
     * Declares the stream's format; {@code declaredFrames} is the length the header announces, or -1 when unknown.
     */
    void start(int sampleRate, int channelCount, long declaredFrames) {
        checkFormat(sampleRate, channelCount);
        this.sourceRate = sampleRate;
        this.channels = channelCount;
        this.maxInputFrames = (long) Math.floor(maxSeconds * sampleRate);
        if (declaredFrames > maxInputFrames) {
            throw tooLong("its header declares", declaredFrames);
        }
        outputRate = sampleRate == 8000 ? 8000 : 16000;
        if (!PolyphaseResampler.feasible(outputRate, sampleRate)) {
            throw invalid("implausible sample rate " + sampleRate + " Hz: no usable rational ratio to " + outputRate
                    + " Hz (resample it to a standard rate first)");
        }
        if (sampleRate != outputRate) {
            resampler = new PolyphaseResampler(outputRate, sampleRate, this::append);
        }
        long expected = declaredFrames > 0
                ? PolyphaseResampler.outputLength(declaredFrames, outputRate, sampleRate)
                : outputRate; // one second, grown as needed
        output = new float[(int) Math.min(expected, 1 << 22)]; // a header may lie: grow beyond 16 MB on demand
    }

    /** Rejects rates and channel counts no real recording has, and rates below the model's 8 kHz. */
    static void checkFormat(int sampleRate, int channelCount) {
        if (sampleRate <= 0 || sampleRate > MAX_SAMPLE_RATE) {
            throw new InvalidInputException(
                    "implausible sample rate " + sampleRate + " Hz in the header (corrupt file?)");
        }
        if (sampleRate < MIN_SAMPLE_RATE) {
            throw new InvalidInputException("sample rate " + sampleRate + " Hz is below " + MIN_SAMPLE_RATE
                    + " Hz, the lowest rate the speech model supports");
        }
        if (channelCount < 1 || channelCount > MAX_CHANNELS) {
            throw new InvalidInputException(
                    "implausible channel count " + channelCount + " in the header (corrupt file?)");
        }
    }

    boolean started() {
        return sourceRate > 0;
    }

    int sourceRate() {
        return sourceRate;
    }

    int channels() {
        return channels;
    }

    long inputFrames() {
        return inputFrames;
    }

    /** Takes {@code frames} interleaved frames of {@code channels} float samples. */
    void accept(float[] interleaved, int frames) {
        if (inputFrames + frames > maxInputFrames) {
            throw tooLong("decoding passed", inputFrames + frames);
        }
        if (mono.length < frames) {
            mono = new float[frames];
        }
        for (int f = 0; f < frames; f++) {
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                float v = interleaved[f * channels + c];
                if (!Float.isFinite(v)) {
                    throw invalid("sample " + (inputFrames + f) + " of channel " + c + " is " + v
                            + "; only finite samples are accepted");
                }
                sum += v;
            }
            mono[f] = (float) (sum / channels);
        }
        inputFrames += frames;
        if (resampler != null) {
            resampler.push(mono, 0, frames);
        } else {
            append(mono, frames);
        }
    }

    private void append(float[] samples, int count) {
        if (outputLength + count > output.length) {
            output = Arrays.copyOf(output, Math.max(output.length * 2, outputLength + count));
        }
        System.arraycopy(samples, 0, output, outputLength, count);
        outputLength += count;
    }

    /** Flushes the resampler and returns the mono recording; rejects an empty one. */
    DecodedAudio finish() {
        if (!started()) {
            throw invalid("no audio stream found");
        }
        if (resampler != null) {
            resampler.finish();
        }
        if (inputFrames == 0) {
            throw invalid("contains no audio samples (zero-length recording)");
        }
        float[] samples = outputLength == output.length ? output : Arrays.copyOf(output, outputLength);
        return new DecodedAudio(samples, outputRate, sourceRate, channels, label);
    }

    private InvalidInputException tooLong(String how, long frames) {
        return invalid(String.format(
                Locale.ROOT,
                "longer than the maximum audio duration of %.1f s (%s %.1f s)",
                maxSeconds,
                how,
                frames / (double) sourceRate));
    }

    private InvalidInputException invalid(String problem) {
        return new InvalidInputException(problem);
    }
}
