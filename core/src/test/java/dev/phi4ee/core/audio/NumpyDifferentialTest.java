package dev.phi4ee.core.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test against the Python stack the original processor is built on: scipy's {@code resample_poly} for
 * the resampler, and a numpy transcription of the original float32 feature pipeline (np.roll pre-emphasis, float32
 * ×32768, np.hamming, np.fft.rfft → complex64, |·|², P·Wᵀ in float32, log). Runs only where python3 with numpy and
 * scipy is installed; skipped elsewhere (CI does not need it).
 */
class NumpyDifferentialTest {
    private static final String FEATURES_PY = """
            import sys, numpy as np
            from math import gcd
            from scipy.signal import resample_poly
            def mel(f): return 1127.0 * np.log(1.0 + f / 700.0)
            def bank():
                klo, khi = int(0 * 512 / 16000 + 0.5) + 1, int(7690 * 512 / 16000 + 0.5)
                centers = np.linspace(mel(0), mel(7690), 82); ms = (mel(7690) - mel(0)) / 81
                w = np.zeros((80, 257), dtype=np.float32)
                for m in range(80):
                    for k in range(klo, khi):
                        b = 1127.0 * np.log(1.0 + k * 16000 / (512 * 700.0))
                        if centers[m] < b < centers[m + 2]:
                            w[m, k] = 1.0 - abs(centers[m + 1] - b) / ms
                return w
            def features(x, rate):
                win, hop, nfft = (400, 160, 512) if rate == 16000 else (200, 80, 256)
                t = (len(x) - win) // hop + 1
                frames = np.stack([x[i * hop:i * hop + win] for i in range(t)]).astype(np.float32)
                prev = np.roll(frames, 1, axis=1); prev[:, 0] = prev[:, 1]
                y = (frames - 0.97 * prev) * 32768
                s = np.fft.rfft(np.hamming(win) * y, n=nfft, axis=1).astype(np.complex64)
                p = np.abs(s) ** 2
                if rate == 8000:
                    p = np.concatenate([p[:, :128], np.zeros((t, 129), dtype=np.float32)], axis=1)
                return np.log(np.clip(p @ bank().T, 1.0, None)).astype(np.float32)
            d = sys.argv[1]
            for name, rate in [("f16k", 16000), ("f8k", 8000)]:
                x = np.fromfile(f"{d}/{name}.in", dtype="<f4")
                features(x, rate).astype("<f4").tofile(f"{d}/{name}.out")
            for rate in (44100, 48000, 22050, 11025):
                x = np.fromfile(f"{d}/r{rate}.in", dtype="<f4").astype(np.float64)
                g = gcd(16000, rate)
                resample_poly(x, 16000 // g, rate // g).astype("<f4").tofile(f"{d}/r{rate}.out")
            """;

    @TempDir
    static Path dir;

    private static boolean ran;

    @BeforeAll
    static void runPython() throws IOException, InterruptedException {
        String python = pythonWithScipy();
        if (python == null) {
            return;
        }
        write("f16k.in", LogMelFeaturesTest.signal("mixture", 16000, 24000));
        write("f8k.in", LogMelFeaturesTest.signal("mixture", 8000, 12000));
        for (int rate : new int[] {44100, 48000, 22050, 11025}) {
            write("r" + rate + ".in", Signals.noise(rate, 0.4, rate / 2));
        }
        Path script = dir.resolve("features.py");
        Files.writeString(script, FEATURES_PY);
        Process p = new ProcessBuilder(python, script.toString(), dir.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        ran = true;
    }

    /** The system Python first: a pyenv or venv {@code python3} on the PATH often lacks numpy and scipy. */
    private static String pythonWithScipy() {
        for (String exe : new String[] {"/usr/bin/python3", "python3"}) {
            try {
                Process p = new ProcessBuilder(exe, "-c", "import numpy, scipy.signal")
                        .redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return exe;
                }
            } catch (IOException e) {
                // try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private static void write(String name, float[] x) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(x);
        Files.write(dir.resolve(name), b.array());
    }

    private static float[] read(String name) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(name))).order(ByteOrder.LITTLE_ENDIAN);
        float[] x = new float[b.remaining() / 4];
        b.asFloatBuffer().get(x);
        return x;
    }

    @Test
    void featuresMatchTheNumpyFloat32Pipeline() throws IOException {
        assumeTrue(ran, "python3 with numpy and scipy not installed");
        AudioPreprocessor preprocessor = AudioPreprocessor.withDefaults();
        for (int rate : new int[] {16000, 8000}) {
            String name = rate == 16000 ? "f16k" : "f8k";
            float[] x = read(name + ".in");
            float[] expected = read(name + ".out");
            float[] actual = preprocessor.features(new DecodedAudio(x, rate, rate, 1, name));
            assertThat(actual).hasSameSizeAs(expected);
            double max = 0;
            for (int i = 0; i < actual.length; i++) {
                max = Math.max(max, Math.abs(actual[i] - expected[i]));
            }
            assertThat(max).as("max |Java − numpy| at %d Hz", rate).isLessThan(1e-4);
        }
    }

    @Test
    void resamplerMatchesScipyResamplePoly() throws IOException {
        assumeTrue(ran, "python3 with numpy and scipy not installed");
        AudioPreprocessor preprocessor = AudioPreprocessor.withDefaults();
        for (int rate : new int[] {44100, 48000, 22050, 11025}) {
            float[] expected = read("r" + rate + ".out");
            float[] actual = preprocessor
                    .fromSamples(read("r" + rate + ".in"), rate, "r")
                    .samples();
            assertThat(actual).hasSameSizeAs(expected);
            for (int i = 0; i < actual.length; i++) {
                assertThat(actual[i])
                        .as("%d Hz sample %d", rate, i)
                        .isCloseTo(expected[i], org.assertj.core.api.Assertions.within(2e-6f));
            }
        }
    }
}
