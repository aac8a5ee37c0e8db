package dev.phi4ee.core.audio;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Streaming rational resampler by up/down with the filter design of scipy's {@code resample_poly} (reference §8.2):
 * L = max(up, down), a Kaiser(β = 5)-windowed sinc of 2·10L + 1 taps with cutoff 1/L of Nyquist, scaled to unit DC
 * gain (scipy {@code firwin}'s default) and then by {@code up}; output y[m] = Σₙ x[n]·h[m·down − n·up + 10L] for m = 0 …
 * ceil(N·up/down) − 1. With up = 1 this is exactly the original's integer decimation (32, 48, 96 kHz), so those rates
 * match the reference; other rates (44.1, 22.05, 11.025 kHz) become true 16 kHz instead of mislabelled audio.
 *
 * <p>Polyphase form: output m uses only the taps of phase (m·down + 10L) mod up, about (20L + 1)/up of them (61 for
 * 48 kHz, 55 for 44.1 kHz). Input arrives in blocks; only the history the next output still needs is kept, so memory
 * is the filter plus a block, not the recording. Not thread-safe (one instance per decode).
 */
final class PolyphaseResampler {
    /** Receives resampled output blocks; the array is reused after the call returns. */
    @FunctionalInterface
    interface Sink {
        void accept(float[] samples, int count);
    }

    static final double KAISER_BETA = 5.0;
    static final int HALF_LENGTH_PER_RATE = 10;

    /**
     * Largest L = max(up, down) accepted: the filter has 20L + 1 taps, so this bounds one design to ~8 MB. Every rate
     * up to 50 kHz fits (L ≤ max(16000, fs)), and so do the standard higher ones (88.2/96/176.4/192/352.8/384 kHz);
     * an odd rate such as 96,001 Hz does not and is rejected as implausible.
     */
    static final int MAX_RATIO_TERM = 50_000;

    /** Phase filters per reduced (up, down): 44.1 kHz alone needs 8,821 taps, worth designing once per JVM. */
    private static final Map<Long, double[][]> PHASES = new ConcurrentHashMap<>();

    /** Designs cached at most (odd rates from hostile input must not grow the cache without bound). */
    private static final int MAX_CACHED_DESIGNS = 16;

    private final int up;
    private final int down;
    private final int halfLength;
    /** phases[p][j] = h[p + j·up]: the taps that meet input x[floor(t/up) − j] when t = m·down + 10L ≡ p (mod up). */
    private final double[][] phases;

    private final Sink sink;
    private final float[] outBlock = new float[4096];
    private int outCount;

    private float[] history = new float[8192];
    /** Absolute input index of history[0]. */
    private long historyStart;

    private int historyLength;
    private long inputCount;
    private long nextOutput;

    PolyphaseResampler(int up, int down, Sink sink) {
        if (up < 1 || down < 1) {
            throw new IllegalArgumentException("up and down must be >= 1, were " + up + ", " + down);
        }
        int g = gcd(up, down);
        this.up = up / g;
        this.down = down / g;
        this.halfLength = HALF_LENGTH_PER_RATE * Math.max(this.up, this.down);
        if (Math.max(this.up, this.down) > MAX_RATIO_TERM) {
            throw new IllegalArgumentException("ratio " + this.up + "/" + this.down + " needs too long a filter");
        }
        long key = ((long) this.up << 32) | this.down;
        double[][] cached = PHASES.get(key);
        if (cached == null) {
            cached = phases(this.up, this.down);
            if (PHASES.size() < MAX_CACHED_DESIGNS) {
                PHASES.putIfAbsent(key, cached);
            }
        }
        this.phases = cached;
        this.sink = sink;
    }

    /** Whether resampling between these rates stays within {@link #MAX_RATIO_TERM}. */
    static boolean feasible(int up, int down) {
        int g = gcd(up, down);
        return Math.max(up / g, down / g) <= MAX_RATIO_TERM;
    }

    static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /** Number of outputs for {@code inputLength} inputs: ceil(N·up/down), as scipy. */
    static long outputLength(long inputLength, int up, int down) {
        int g = gcd(up, down);
        long u = up / g;
        long d = down / g;
        return (inputLength * u + d - 1) / d;
    }

    /**
     * The prototype filter h (length 2·10L + 1) exactly as scipy designs it: {@code firwin(2·half + 1, 1/L,
     * window=('kaiser', 5.0))} (windowed sinc normalised to unit sum) times {@code up}.
     */
    static double[] prototype(int up, int down) {
        int g = gcd(up, down);
        up /= g;
        down /= g;
        int rate = Math.max(up, down);
        int half = HALF_LENGTH_PER_RATE * rate;
        int taps = 2 * half + 1;
        double cutoff = 1.0 / rate;
        double[] h = new double[taps];
        double i0Beta = besselI0(KAISER_BETA);
        double sum = 0;
        for (int i = 0; i < taps; i++) {
            double m = i - half;
            double r = m / half;
            double kaiser = besselI0(KAISER_BETA * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
            h[i] = cutoff * sinc(cutoff * m) * kaiser;
            sum += h[i];
        }
        for (int i = 0; i < taps; i++) {
            h[i] = h[i] / sum * up;
        }
        return h;
    }

    private static double[][] phases(int up, int down) {
        double[] h = prototype(up, down);
        double[][] p = new double[up][];
        for (int phase = 0; phase < up; phase++) {
            int count = phase < h.length ? (h.length - 1 - phase) / up + 1 : 0;
            p[phase] = new double[count];
            for (int j = 0; j < count; j++) {
                p[phase][j] = h[phase + j * up];
            }
        }
        return p;
    }

    static double sinc(double x) {
        if (x == 0) {
            return 1;
        }
        double px = Math.PI * x;
        return Math.sin(px) / px;
    }

    /** Modified Bessel function of the first kind, order 0, by its power series (converges fast for β ≤ 10). */
    static double besselI0(double x) {
        double term = 1;
        double sum = 1;
        double q = x * x / 4;
        for (int k = 1; k < 200; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        return sum;
    }

    /** Feeds {@code count} input samples; emits every output whose inputs are all known. */
    void push(float[] samples, int offset, int count) {
        append(samples, offset, count);
        inputCount += count;
        emitWhile(false);
    }

    /** Ends the input (zeros beyond it, as scipy) and emits the remaining ceil(N·up/down) outputs. */
    void finish() {
        emitWhile(true);
        flush();
    }

    private void emitWhile(boolean atEnd) {
        long total = outputLength(inputCount, up, down);
        while (nextOutput < total) {
            long t = nextOutput * down + halfLength;
            long top = t / up;
            if (!atEnd && top >= inputCount) {
                break;
            }
            double[] taps = phases[(int) (t % up)];
            double acc = 0;
            // x[top − j] for j = 0 … taps.length − 1, restricted to known input [0, inputCount).
            long jFirst = Math.max(0, top - (inputCount - 1));
            long jLast = Math.min(taps.length - 1, top);
            int base = (int) (top - historyStart);
            for (int j = (int) jFirst; j <= jLast; j++) {
                acc += taps[j] * history[base - j];
            }
            outBlock[outCount++] = (float) acc;
            if (outCount == outBlock.length) {
                flush();
            }
            nextOutput++;
        }
    }

    private void flush() {
        if (outCount > 0) {
            sink.accept(outBlock, outCount);
            outCount = 0;
        }
    }

    private void append(float[] samples, int offset, int count) {
        // Drop history no future output reaches: output m needs inputs ≥ floor((m·down + 10L)/up) − (taps − 1).
        long needFrom = (nextOutput * down + halfLength) / up - (maxTaps() - 1);
        long drop = Math.min(Math.max(0, needFrom - historyStart), historyLength);
        if (drop > 0) {
            System.arraycopy(history, (int) drop, history, 0, historyLength - (int) drop);
            historyLength -= (int) drop;
            historyStart += drop;
        }
        if (historyLength + count > history.length) {
            history = Arrays.copyOf(history, Math.max(history.length * 2, historyLength + count));
        }
        System.arraycopy(samples, offset, history, historyLength, count);
        historyLength += count;
    }

    private int maxTaps() {
        return phases[0].length;
    }
}
