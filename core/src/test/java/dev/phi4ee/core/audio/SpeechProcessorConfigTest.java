package dev.phi4ee.core.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpeechProcessorConfigTest {
    /** The release's speech_processor.json as reference §2.3 gives it. */
    static final String RELEASE_JSON = """
            { "feature_extraction": { "sequence": [
                { "operation": { "name": "audio_decoder", "type": "AudioDecoderEx",
                                 "attrs": { "target_sample_rates": [8000, 16000] } } },
                { "operation": { "name": "phi_4_audio_embed", "type": "Phi4AudioEmbed", "attrs": {
                    "audio_compression_rate": 8,
                    "stft_normal/n_fft": 512, "stft_normal/frame_length": 400, "stft_normal/hop_length": 160,
                    "stft_normal/win_fn": "hamming",
                    "logmel/chunk_size": 30, "logmel/hop_length": 160, "logmel/n_fft": 512, "logmel/n_mel": 80,
                    "logmel/feature_first": 0, "logmel/no_padding": 1,
                    "stft_normal_8k/n_fft": 256, "stft_normal_8k/frame_length": 200, "stft_normal_8k/hop_length": 80,
                    "stft_normal_8k/win_fn": "hamming",
                    "logmel_8k/chunk_size": 30, "logmel_8k/hop_length": 80, "logmel_8k/n_fft": 512,
                    "logmel_8k/n_mel": 80, "logmel_8k/feature_first": 0, "logmel_8k/no_padding": 1 } } } ],
              "output_aligner": "phi4-audio-aligner" } }
            """;

    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        Path file = dir.resolve(SpeechProcessorConfig.FILE_NAME);
        Files.writeString(file, json);
        return file;
    }

    @Test
    void releaseFileGivesTheDefaults() throws IOException {
        SpeechProcessorConfig config = SpeechProcessorConfig.read(write(RELEASE_JSON));
        assertThat(config).isEqualTo(SpeechProcessorConfig.defaults());
        assertThat(config.path16k().frameCount(16000)).isEqualTo(98);
        assertThat(config.path8k().frameCount(16000)).isEqualTo(198);
        assertThat(config.tokenCount(98)).isEqualTo(13);
    }

    @Test
    void otherFramingIsReadAndUsed() throws IOException {
        SpeechProcessorConfig config = SpeechProcessorConfig.read(write(RELEASE_JSON
                .replace("\"stft_normal/hop_length\": 160", "\"stft_normal/hop_length\": 320")
                .replace("\"logmel/hop_length\": 160", "\"logmel/hop_length\": 320")
                .replace("\"audio_compression_rate\": 8", "\"audio_compression_rate\": 4")));
        assertThat(config.path16k().hopLength()).isEqualTo(320);
        assertThat(config.audioCompressionRate()).isEqualTo(4);
        AudioPreprocessor p = new AudioPreprocessor(config, java.time.Duration.ofMinutes(1));
        DecodedAudio second = new DecodedAudio(new float[16000], 16000, 16000, 1, "x");
        assertThat(p.frameCount(second)).isEqualTo(49);
        assertThat(p.tokenCount(second)).isEqualTo(13);
    }

    @Test
    void malformedJsonNamesTheFile() throws IOException {
        Path file = write("{ not json");
        assertThatThrownBy(() -> SpeechProcessorConfig.read(file))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void missingEmbedOperation() throws IOException {
        Path file = write("{\"feature_extraction\": {\"sequence\": []}}");
        assertThatThrownBy(() -> SpeechProcessorConfig.read(file))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContainingAll(file.toString(), "Phi4AudioEmbed");
    }

    @Test
    void badFieldIsNamed() throws IOException {
        assertField("\"stft_normal/n_fft\": 512", "\"stft_normal/n_fft\": 500", "stft_normal/n_fft", "power of two");
        assertField("\"stft_normal/n_fft\": 512", "\"stft_normal/n_fft\": \"512\"", "stft_normal/n_fft", "integer");
        assertField("\"stft_normal/n_fft\": 512", "\"stft_normal/n_fft\": 1024", "stft_normal/n_fft", "must be 512");
        assertField("\"logmel/n_mel\": 80", "\"logmel/n_mel\": -3", "logmel/n_mel", "positive");
        assertField("\"stft_normal_8k/n_fft\": 256", "\"stft_normal_8k/n_fft\": 512", "stft_normal_8k/n_fft", "half");
        assertField("\"stft_normal/frame_length\": 400", "\"stft_normal/frame_length\": 600", "frame_length", "<=");
        assertField("\"stft_normal/win_fn\": \"hamming\"", "\"stft_normal/win_fn\": \"hann\"", "win_fn", "hann");
        assertField("\"logmel/feature_first\": 0", "\"logmel/feature_first\": 1", "logmel/feature_first", "0");
        assertField("[8000, 16000]", "[16000]", "target_sample_rates", "[16000]");
        assertField("\"audio_compression_rate\": 8", "\"audio_compression_rate\": 0", "audio_compression_rate", "0");
    }

    private void assertField(String original, String replacement, String... messageParts) throws IOException {
        assertThat(RELEASE_JSON).contains(original);
        Path file = write(RELEASE_JSON.replace(original, replacement));
        assertThatThrownBy(() -> SpeechProcessorConfig.read(file))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContainingAll(messageParts);
    }
}
