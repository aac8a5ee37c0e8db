package dev.phi4ee.core.audio;

import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.MediaFormat;
import dev.phi4ee.core.api.TensorFloatType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Audio media → the speech graph's inputs (reference §8). Three steps the engine calls separately:
 *
 * <ol>
 *   <li>{@link #decode}: WAV/FLAC/MP3 sniffed from the bytes → mono float at 16 kHz, or 8 kHz for the fill-zero
 *       path; checks the duration limit early and rejects recordings too short for one feature frame;
 *   <li>{@link #frameCount} / {@link #tokenCount}: cheap planning of the prompt (tokens = ceil(T/8), §8.9) before any
 *       feature is computed;
 *   <li>{@link #preprocess}: log-mel features of a batch, right-padded with 0, with mask and sizes (§8.8).
 * </ol>
 *
 * <p>Short audio policy: a clip shorter than one analysis window (400 samples = 25 ms at 16 kHz, 200 at 8 kHz)
 * yields zero frames in the reference; it is rejected with an {@link InvalidInputException} rather than sent as an
 * empty tensor (docs/decisions/audio-short-clips.md). Immutable and thread-safe.
 */
public final class AudioPreprocessor {
    private static final Duration DEFAULT_MAX_DURATION = Duration.ofMinutes(30);

    private final SpeechProcessorConfig config;
    private final Duration maxDuration;
    private final LogMelExtractor extractor16k;
    private final LogMelExtractor extractor8k;

    public AudioPreprocessor(SpeechProcessorConfig config, Duration maxDuration) {
        this.config = Objects.requireNonNull(config, "config");
        this.maxDuration = Objects.requireNonNull(maxDuration, "maxDuration");
        if (maxDuration.isNegative() || maxDuration.isZero()) {
            throw new IllegalArgumentException("maxDuration must be positive, was " + maxDuration);
        }
        MelFilterBank bank = new MelFilterBank(config.melBins());
        this.extractor16k = new LogMelExtractor(config.path16k(), bank);
        this.extractor8k = new LogMelExtractor(config.path8k(), bank);
    }

    /** The release's parameters and a 30-minute limit. */
    public static AudioPreprocessor withDefaults() {
        return new AudioPreprocessor(SpeechProcessorConfig.defaults(), DEFAULT_MAX_DURATION);
    }

    public SpeechProcessorConfig config() {
        return config;
    }

    public Duration maxDuration() {
        return maxDuration;
    }

    /**
     * Decodes a WAV (PCM 8–32 bit, float, µ-law, A-law), FLAC or MP3 recording, its format sniffed from the bytes (a
     * declared MIME type is used only when the bytes are not recognised), mixes it to mono and brings it to 16 kHz
     * (8 kHz stays 8 kHz). Every problem with the input is an {@link InvalidInputException} naming the media.
     */
    public DecodedAudio decode(Media media) {
        String label = media.label();
        DecodedAudio audio;
        try {
            audio = decodeChecked(media, label);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("audio " + label + ": " + e.getMessage(), e);
        }
        requireOneFrame(audio);
        return audio;
    }

    private DecodedAudio decodeChecked(Media media, String label) {
        byte[] data = media.data();
        if (data.length == 0) {
            throw new InvalidInputException("empty input (0 bytes)");
        }
        MediaFormat format = MediaFormat.sniff(data)
                .or(() -> MediaFormat.fromMimeType(media.declaredMimeType()))
                .orElseThrow(() -> new InvalidInputException(
                        "unrecognised audio format (supported: WAV, FLAC, MP3, detected from the content)"));
        AudioStreamDecoder decoder =
                switch (format) {
                    case WAV -> new WavDecoder();
                    case FLAC -> new FlacDecoder();
                    case MP3 -> new Mp3Decoder();
                    default ->
                        throw new InvalidInputException(
                                "content is " + format + ", not audio (supported: WAV, FLAC, MP3)");
                };
        SampleAccumulator accumulator = new SampleAccumulator(label, maxDuration.toNanos() / 1e9);
        try {
            decoder.decode(data, accumulator);
        } catch (IOException e) {
            String detail =
                    e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new InvalidInputException("corrupt or truncated " + format + " data (" + detail + ")", e);
        } catch (InvalidInputException e) {
            throw e;
        } catch (RuntimeException e) {
            // The codec libraries signal some damaged streams with unchecked exceptions (index out of bounds…).
            throw new InvalidInputException("corrupt " + format + " data (decoder failed: " + e + ")", e);
        }
        return accumulator.finish();
    }

    /**
     * Mono samples already in memory (e.g. from a capture API): the same rate handling and checks as {@link #decode}
     * — 16 and 8 kHz kept, other rates ≥ 8 kHz resampled to 16 kHz.
     */
    public DecodedAudio fromSamples(float[] mono, int sampleRate, String label) {
        DecodedAudio audio;
        try {
            SampleAccumulator accumulator = new SampleAccumulator(label, maxDuration.toNanos() / 1e9);
            accumulator.start(sampleRate, 1, mono.length);
            accumulator.accept(mono, mono.length);
            audio = accumulator.finish();
        } catch (InvalidInputException e) {
            throw new InvalidInputException("audio " + label + ": " + e.getMessage(), e);
        }
        requireOneFrame(audio);
        return audio;
    }

    /**
     * The audio tokens a recording will expand to (§8.9), from its headers alone (see {@link AudioHeaderProbe}),
     * with the duration limit checked on the way: the same count {@link #tokenCount} gives once the recording is
     * decoded. Empty when no header states the length (e.g. a FLAC from a streaming encoder) or the recording will
     * not decode; {@link #decode} then reports or measures it.
     *
     * @throws InvalidInputException the header declares more than the maximum duration
     */
    public OptionalInt tokenCountFromHeaders(Media media) {
        byte[] data = media.data();
        Optional<AudioHeaderProbe.Length> probed = MediaFormat.sniff(data)
                .or(() -> MediaFormat.fromMimeType(media.declaredMimeType()))
                .flatMap(format -> AudioHeaderProbe.probe(data, format));
        if (probed.isEmpty()) {
            return OptionalInt.empty();
        }
        int rate = probed.get().sampleRate();
        long frames = probed.get().frames();
        if (rate < SampleAccumulator.MIN_SAMPLE_RATE || rate > SampleAccumulator.MAX_SAMPLE_RATE) {
            return OptionalInt.empty();
        }
        double seconds = frames / (double) rate;
        double maxSeconds = maxDuration.toNanos() / 1e9;
        if (frames > (long) Math.floor(maxSeconds * rate)) {
            throw new InvalidInputException(String.format(
                    Locale.ROOT,
                    "audio %s: longer than the maximum audio duration of %.1f s (its header declares %.1f s)",
                    media.label(),
                    maxSeconds,
                    seconds));
        }
        int outputRate = rate == 8000 ? 8000 : 16000;
        if (!PolyphaseResampler.feasible(outputRate, rate)) {
            return OptionalInt.empty();
        }
        long samples = rate == outputRate ? frames : PolyphaseResampler.outputLength(frames, outputRate, rate);
        LogMelExtractor extractor = outputRate == 8000 ? extractor8k : extractor16k;
        int featureFrames = extractor.frameCount((int) Math.min(Integer.MAX_VALUE, samples));
        return featureFrames == 0 ? OptionalInt.empty() : OptionalInt.of(config.tokenCount(featureFrames));
    }

    /** Feature frames T of a decoded clip (§8.3, §8.7), without computing them. */
    public int frameCount(DecodedAudio audio) {
        return extractor(audio).frameCount(audio.samples().length);
    }

    /** Audio tokens the clip expands to in the prompt: ceil(T / audio_compression_rate) (§8.9). */
    public int tokenCount(DecodedAudio audio) {
        return config.tokenCount(frameCount(audio));
    }

    /** Log-mel features {@code [T, melBins]} row-major, float32 (§8.6). */
    public float[] features(DecodedAudio audio) {
        requireOneFrame(audio);
        return extractor(audio).extract(audio.samples());
    }

    /**
     * Features of a batch in the element type the speech graph declares, right-padded with 0 to the longest clip,
     * with the boolean frame mask and the per-clip token counts (§8.8; the ONNX graph always gets the mask).
     */
    public SpeechInputs preprocess(List<DecodedAudio> clips, TensorFloatType floatType) {
        Objects.requireNonNull(floatType, "floatType");
        if (clips.isEmpty()) {
            throw new IllegalArgumentException("at least one clip is required");
        }
        int batch = clips.size();
        int mels = config.melBins();
        int[] frames = new int[batch];
        int[] tokens = new int[batch];
        int maxFrames = 0;
        for (int b = 0; b < batch; b++) {
            requireOneFrame(clips.get(b));
            frames[b] = frameCount(clips.get(b));
            tokens[b] = config.tokenCount(frames[b]);
            maxFrames = Math.max(maxFrames, frames[b]);
        }
        int elementBytes = floatType == TensorFloatType.FLOAT32 ? 4 : 2;
        long embedBytes = (long) batch * maxFrames * mels * elementBytes;
        if (embedBytes > Integer.MAX_VALUE) {
            throw new InvalidInputException(
                    "audio batch too large for one tensor: " + batch + " clips × " + maxFrames + " frames");
        }
        ByteBuffer embeds = ByteBuffer.allocateDirect((int) embedBytes).order(ByteOrder.nativeOrder());
        ByteBuffer mask = ByteBuffer.allocateDirect(batch * maxFrames).order(ByteOrder.nativeOrder());
        ByteBuffer sizes = ByteBuffer.allocateDirect(batch * Long.BYTES).order(ByteOrder.nativeOrder());
        for (int b = 0; b < batch; b++) {
            int clipBase = b * maxFrames;
            // Direct buffers start zeroed: padding frames are 0.0 (fp16 and fp32 alike) and their mask false.
            extractor(clips.get(b)).extract(clips.get(b).samples(), (t, row) -> {
                int index = (clipBase + t) * mels;
                if (floatType == TensorFloatType.FLOAT32) {
                    for (int m = 0; m < mels; m++) {
                        embeds.putFloat((index + m) * 4, row[m]);
                    }
                } else {
                    for (int m = 0; m < mels; m++) {
                        embeds.putShort((index + m) * 2, Float.floatToFloat16(row[m]));
                    }
                }
            });
            for (int t = 0; t < frames[b]; t++) {
                mask.put(clipBase + t, (byte) 1);
            }
            sizes.putLong(b * Long.BYTES, tokens[b]);
        }
        return new SpeechInputs(embeds, mask, sizes, floatType, maxFrames, mels, frames, tokens);
    }

    private LogMelExtractor extractor(DecodedAudio audio) {
        return audio.sampleRate() == 8000 ? extractor8k : extractor16k;
    }

    private void requireOneFrame(DecodedAudio audio) {
        LogMelExtractor extractor = extractor(audio);
        if (extractor.frameCount(audio.samples().length) == 0) {
            int window = extractor.path().windowLength();
            throw new InvalidInputException(String.format(
                    Locale.ROOT,
                    "audio %s: too short: %d samples (%.1f ms) at %d Hz; one feature frame needs at least %d"
                            + " samples (%.0f ms)",
                    audio.label(),
                    audio.samples().length,
                    1000.0 * audio.samples().length / audio.sampleRate(),
                    audio.sampleRate(),
                    window,
                    1000.0 * window / audio.sampleRate()));
        }
    }
}
