package dev.phi4ee.samples.cli;

import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.api.TensorFloatType;
import dev.phi4ee.core.audio.AudioPreprocessor;
import dev.phi4ee.core.audio.DecodedAudio;
import dev.phi4ee.core.audio.SpeechInputs;
import dev.phi4ee.core.audio.SpeechProcessorConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code phi4 preprocess-audio --out DIR FILE...}: the speech graph's inputs for a batch of recordings as NumPy
 * files, for comparison with the Python reference: {@code audio_embeds.npy} float32 [B, T, 80],
 * {@code audio_sizes.npy} int64 [B] (audio tokens per clip) and {@code audio_attention_mask.npy} bool [B, T].
 */
@Command(
        name = "preprocess-audio",
        mixinStandardHelpOptions = true,
        description = "Decode WAV/FLAC/MP3 recordings and write the speech inputs (log-mel features, sizes, mask)"
                + " as .npy files.")
public final class PreprocessAudioCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, description = "Output directory (created if missing).")
    Path out;

    @Option(
            names = "--model",
            description = "Model directory whose speech_processor.json to use (default: the release's values).")
    Path model;

    @Option(
            names = "--max-duration",
            defaultValue = "PT30M",
            description = "Longest accepted recording, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration maxDuration;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Audio files (format detected from content).")
    List<Path> files;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        try {
            SpeechProcessorConfig config = model == null
                    ? SpeechProcessorConfig.defaults()
                    : SpeechProcessorConfig.read(model.resolve(SpeechProcessorConfig.FILE_NAME));
            AudioPreprocessor preprocessor = new AudioPreprocessor(config, maxDuration);
            List<DecodedAudio> clips = new ArrayList<>();
            for (Path file : files) {
                clips.add(preprocessor.decode(Media.of(file)));
            }
            SpeechInputs inputs = preprocessor.preprocess(clips, TensorFloatType.FLOAT32);
            Files.createDirectories(out);
            NpyWriter.writeFloat32(out.resolve("audio_embeds.npy"), inputs.audioEmbedsShape(), inputs.audioEmbeds());
            NpyWriter.writeInt64(out.resolve("audio_sizes.npy"), inputs.audioSizesShape(), inputs.audioSizes());
            NpyWriter.writeBool(
                    out.resolve("audio_attention_mask.npy"),
                    inputs.audioAttentionMaskShape(),
                    inputs.audioAttentionMask());
            for (int b = 0; b < clips.size(); b++) {
                DecodedAudio clip = clips.get(b);
                stdout.printf(
                        Locale.ROOT,
                        "%s: %d Hz %d ch → %d Hz, %.2f s, %d frames, %d audio tokens%n",
                        files.get(b),
                        clip.sourceSampleRate(),
                        clip.sourceChannels(),
                        clip.sampleRate(),
                        clip.durationSeconds(),
                        inputs.frameCounts()[b],
                        inputs.tokenCounts()[b]);
            }
            stdout.printf(
                    Locale.ROOT,
                    "wrote audio_embeds.npy [%d, %d, %d], audio_sizes.npy [%d], audio_attention_mask.npy [%d, %d]"
                            + " to %s%n",
                    inputs.batchSize(),
                    inputs.maxFrames(),
                    inputs.melBins(),
                    inputs.batchSize(),
                    inputs.batchSize(),
                    inputs.maxFrames(),
                    out);
            stdout.flush();
            return 0;
        } catch (InvalidInputException | ModelFormatException | java.io.UncheckedIOException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 1;
        }
    }
}
