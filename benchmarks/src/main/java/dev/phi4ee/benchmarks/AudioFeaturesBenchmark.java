package dev.phi4ee.benchmarks;

import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.TensorFloatType;
import dev.phi4ee.core.audio.AudioPreprocessor;
import dev.phi4ee.core.audio.DecodedAudio;
import dev.phi4ee.core.audio.SpeechInputs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Audio preprocessing cost, single-threaded. Real-time factor = score (ms) ÷ audio length (ms): 30 000 for the 30 s
 * clip, 600 000 for the 10-minute call.
 *
 * <pre>
 * ./mvnw -B -ntp -q -Pbenchmarks -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar AudioFeaturesBenchmark -f 1 -wi 2 -i 3
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class AudioFeaturesBenchmark {
    private final AudioPreprocessor preprocessor = AudioPreprocessor.withDefaults();
    private DecodedAudio speech30s16k;
    private DecodedAudio call10min8k;
    private Media wav30s44k;
    private Media ulawCall10min;

    @Setup
    public void setUp() throws IOException {
        speech30s16k = new DecodedAudio(speechLike(16000, 30), 16000, 16000, 1, "30 s @ 16 kHz");
        call10min8k = new DecodedAudio(speechLike(8000, 600), 8000, 8000, 1, "10 min @ 8 kHz");
        wav30s44k = Media.of(wav(speechLike(44100, 30), 44100, AudioFormat.Encoding.PCM_SIGNED));
        ulawCall10min = Media.of(wav(speechLike(8000, 600), 8000, AudioFormat.Encoding.ULAW));
    }

    /** Log-mel features of 30 s at 16 kHz into an fp16 batch buffer (what the engine calls). */
    @Benchmark
    public SpeechInputs features30s16k() {
        return preprocessor.preprocess(List.of(speech30s16k), TensorFloatType.FLOAT16);
    }

    /** Log-mel features of a 10-minute 8 kHz telephone call (fill-zero path). */
    @Benchmark
    public SpeechInputs features10minCall8k() {
        return preprocessor.preprocess(List.of(call10min8k), TensorFloatType.FLOAT16);
    }

    /** Decoding a 30 s 44.1 kHz 16-bit WAV, including the 160/441 polyphase resampling to 16 kHz. */
    @Benchmark
    public DecodedAudio decodeWav30s44k() {
        return preprocessor.decode(wav30s44k);
    }

    /** Decoding a 10-minute 8 kHz µ-law call (no resampling). */
    @Benchmark
    public DecodedAudio decodeUlawCall10min() {
        return preprocessor.decode(ulawCall10min);
    }

    /** Harmonics of a gliding 100–200 Hz pitch under formant-like peaks plus a little noise. */
    static float[] speechLike(int rate, int seconds) {
        int n = rate * seconds;
        float[] x = new float[n];
        java.util.Random random = new java.util.Random(11);
        double phase = 0;
        for (int i = 0; i < n; i++) {
            double t = i / (double) rate;
            double f0 = 150 + 50 * Math.sin(2 * Math.PI * 0.7 * t);
            phase += 2 * Math.PI * f0 / rate;
            double v = 0;
            for (int k = 1; k <= 12; k++) {
                double formant = Math.exp(-Math.pow((k * f0 - 700) / 300, 2))
                        + 0.5 * Math.exp(-Math.pow((k * f0 - 1500) / 400, 2));
                v += (0.2 / k + formant) * Math.sin(k * phase);
            }
            x[i] = (float) (0.15 * v + 0.01 * random.nextGaussian());
        }
        return x;
    }

    static byte[] wav(float[] x, int rate, AudioFormat.Encoding encoding) throws IOException {
        ByteBuffer pcm = ByteBuffer.allocate(x.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : x) {
            pcm.putShort((short) Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
        }
        AudioFormat pcmFormat = new AudioFormat(rate, 16, 1, true, false);
        AudioInputStream stream = new AudioInputStream(new ByteArrayInputStream(pcm.array()), pcmFormat, x.length);
        if (encoding != AudioFormat.Encoding.PCM_SIGNED) {
            stream = AudioSystem.getAudioInputStream(new AudioFormat(encoding, rate, 8, 1, 1, rate, false), stream);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AudioSystem.write(stream, AudioFileFormat.Type.WAVE, out);
        return out.toByteArray();
    }
}
