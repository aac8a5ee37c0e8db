package dev.phi4ee.core.audio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.phi4ee.core.api.ModelFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The audio feature parameters of a model's {@code speech_processor.json} (onnxruntime-extensions format, reference
 * §2.3): the 16 kHz STFT/log-mel path, the 8 kHz "fill-zero" path and the audio token compression rate.
 *
 * <p>Only values the reference math supports are accepted (§8.1): a Hamming window, time-major features without
 * padding, power-of-two FFT sizes, an 8 kHz FFT half the size of the 16 kHz one (so both share the 16 kHz mel bank) and
 * decoder targets {8000, 16000}. Anything else is a {@link ModelFormatException} naming the file and the field, since
 * silently computing different features would feed the speech encoder inputs it was not trained on.
 *
 * @param path16k framing of the 16 kHz path ({@code stft_normal/*})
 * @param path8k framing of the 8 kHz fill-zero path ({@code stft_normal_8k/*})
 * @param melBins number of mel filters ({@code logmel/n_mel})
 * @param audioCompressionRate frames per audio token ({@code audio_compression_rate}, §8.9)
 */
public record SpeechProcessorConfig(FeaturePath path16k, FeaturePath path8k, int melBins, int audioCompressionRate) {

    /** File name of the processor config inside a model directory. */
    public static final String FILE_NAME = "speech_processor.json";

    private static final String EMBED_OP = "Phi4AudioEmbed";
    private static final String DECODER_OP = "AudioDecoderEx";

    /**
     * Framing of one feature path.
     *
     * @param sampleRate rate the path consumes
     * @param fftSize FFT length (zero padding beyond the window)
     * @param windowLength samples per frame
     * @param hopLength samples between frame starts
     */
    public record FeaturePath(int sampleRate, int fftSize, int windowLength, int hopLength) {
        /** Number of whole frames in {@code samples} samples: {@code (N − window) // hop + 1}, 0 when N &lt; window. */
        public int frameCount(long samples) {
            if (samples < windowLength) {
                return 0;
            }
            long frames = (samples - windowLength) / hopLength + 1;
            return (int) Math.min(frames, Integer.MAX_VALUE);
        }
    }

    public SpeechProcessorConfig {
        if (path16k == null || path8k == null) {
            throw new IllegalArgumentException("both feature paths are required");
        }
        if (melBins < 1 || audioCompressionRate < 1) {
            throw new IllegalArgumentException(
                    "melBins and audioCompressionRate must be >= 1, were " + melBins + ", " + audioCompressionRate);
        }
    }

    /** The release's values (§2.3, §8.1). */
    public static SpeechProcessorConfig defaults() {
        return new SpeechProcessorConfig(
                new FeaturePath(16000, 512, 400, 160), new FeaturePath(8000, 256, 200, 80), 80, 8);
    }

    /** Audio tokens for {@code frames} feature frames: {@code ceil(T / compression)} (§8.9). */
    public int tokenCount(int frames) {
        return (frames + audioCompressionRate - 1) / audioCompressionRate;
    }

    /** Reads and validates a {@code speech_processor.json}; absent attributes take the release's values. */
    public static SpeechProcessorConfig read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(file + ": not readable JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(file + ": expected a JSON object");
        }
        return new Reader(file, root).read();
    }

    /** Field-by-field reader that names the file and the attribute in every message. */
    private static final class Reader {
        private final Path file;
        private final JsonNode root;
        private JsonNode attrs;

        Reader(Path file, JsonNode root) {
            this.file = file;
            this.root = root;
        }

        SpeechProcessorConfig read() {
            JsonNode sequence = root.path("feature_extraction").path("sequence");
            if (!sequence.isArray()) {
                throw fail("feature_extraction.sequence", "missing or not an array");
            }
            JsonNode embed = null;
            JsonNode decoder = null;
            for (JsonNode step : sequence) {
                String type = step.path("operation").path("type").asText("");
                if (type.equals(EMBED_OP)) {
                    embed = step.path("operation").path("attrs");
                } else if (type.equals(DECODER_OP)) {
                    decoder = step.path("operation").path("attrs");
                }
            }
            if (embed == null) {
                throw fail("feature_extraction.sequence", "no operation of type " + EMBED_OP);
            }
            if (decoder != null) {
                checkTargetRates(decoder.path("target_sample_rates"));
            }
            attrs = embed;
            SpeechProcessorConfig d = defaults();
            FeaturePath p16 = path("stft_normal", "logmel", d.path16k());
            FeaturePath p8 = path("stft_normal_8k", "logmel_8k", d.path8k());
            int melBins = positiveInt("logmel/n_mel", d.melBins());
            int mel8k = positiveInt("logmel_8k/n_mel", d.melBins());
            if (mel8k != melBins) {
                throw fail("logmel_8k/n_mel", "must equal logmel/n_mel (" + melBins + "), was " + mel8k);
            }
            if (p16.fftSize() != 512) {
                throw fail(
                        "stft_normal/n_fft", "must be 512, the FFT size of the mel filter bank, was " + p16.fftSize());
            }
            if (p8.fftSize() * 2 != p16.fftSize()) {
                throw fail(
                        "stft_normal_8k/n_fft",
                        "must be half of stft_normal/n_fft (" + p16.fftSize() + ") so the 8 kHz spectrum maps onto"
                                + " the 16 kHz mel filter bank, was " + p8.fftSize());
            }
            int compression = positiveInt("audio_compression_rate", d.audioCompressionRate());
            return new SpeechProcessorConfig(p16, p8, melBins, compression);
        }

        private FeaturePath path(String stft, String logmel, FeaturePath def) {
            int fft = positiveInt(stft + "/n_fft", def.fftSize());
            if (Integer.bitCount(fft) != 1) {
                throw fail(stft + "/n_fft", "must be a power of two, was " + fft);
            }
            int window = positiveInt(stft + "/frame_length", def.windowLength());
            if (window > fft) {
                throw fail(stft + "/frame_length", "must be <= n_fft (" + fft + "), was " + window);
            }
            int hop = positiveInt(stft + "/hop_length", def.hopLength());
            String winFn = attrs.path(stft + "/win_fn").asText("hamming");
            if (!winFn.equals("hamming")) {
                throw fail(
                        stft + "/win_fn",
                        "only \"hamming\" is supported (the window of Phi-4's audio features), was \"" + winFn + "\"");
            }
            int melHop = positiveInt(logmel + "/hop_length", hop);
            if (melHop != hop) {
                throw fail(logmel + "/hop_length", "must equal " + stft + "/hop_length (" + hop + "), was " + melHop);
            }
            int melFft = positiveInt(logmel + "/n_fft", 512);
            if (melFft != 512) {
                throw fail(
                        logmel + "/n_fft",
                        "must be 512: the mel filter bank is the 16 kHz 512-point one, was " + melFft);
            }
            expect(logmel + "/feature_first", 0);
            expect(logmel + "/no_padding", 1);
            return new FeaturePath(def.sampleRate(), fft, window, hop);
        }

        private void checkTargetRates(JsonNode rates) {
            if (rates.isMissingNode()) {
                return;
            }
            List<Integer> values = new ArrayList<>();
            if (rates.isArray()) {
                rates.forEach(r -> values.add(r.canConvertToInt() ? r.asInt() : -1));
            }
            if (!values.equals(List.of(8000, 16000)) && !values.equals(List.of(16000, 8000))) {
                throw fail(
                        "target_sample_rates",
                        "must be [8000, 16000] (the 8 kHz and 16 kHz paths Phi-4's audio features are defined for), was "
                                + rates);
            }
        }

        private int positiveInt(String field, int def) {
            JsonNode v = attrs.get(field);
            if (v == null) {
                return def;
            }
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
                throw fail(field, "must be a positive integer, was " + v);
            }
            return v.asInt();
        }

        private void expect(String field, int expected) {
            JsonNode v = attrs.get(field);
            if (v != null && (!v.isIntegralNumber() || v.asInt() != expected)) {
                throw fail(
                        field,
                        "only " + expected + " is supported (as in the released speech_processor.json), was " + v);
            }
        }

        private ModelFormatException fail(String field, String problem) {
            return new ModelFormatException(file + ": " + field + ": " + problem);
        }
    }
}
