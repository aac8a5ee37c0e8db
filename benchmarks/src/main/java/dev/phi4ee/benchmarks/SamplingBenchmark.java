package dev.phi4ee.benchmarks;

import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.TensorFloatType;
import dev.phi4ee.core.generate.sampling.LogitsRow;
import dev.phi4ee.core.generate.sampling.TokenHistory;
import dev.phi4ee.core.generate.sampling.TokenSampler;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of choosing one token from a Phi-4-sized logits row (200064 entries), per decoding configuration, against a
 * naive step that copies the row, sorts the whole vocabulary and takes a full softmax (what a straightforward top-p
 * implementation does; config {@code naiveFullSort}). Report ratios to it, measured in the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SamplingBenchmark {
    private static final int VOCAB = 200064;

    @Param({"naiveFullSort", "greedy", "greedyPenalty", "temperature", "topK50", "topP0.9", "topK50TopP0.9MinP0.05"})
    public String config;

    @Param({"FLOAT16", "FLOAT32"})
    public TensorFloatType type;

    /** peaked: a few strong candidates over a Gaussian bulk (typical LLM output); flat: a near-uniform row. */
    @Param({"peaked", "flat"})
    public String shape;

    private LogitsRow row;
    private float[] values;
    private TokenSampler sampler;
    private TokenHistory history;
    private float[] naiveScratch;
    private long[] naiveKeys;
    private boolean naive;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(1);
        values = new float[VOCAB];
        for (int i = 0; i < VOCAB; i++) {
            values[i] = (float) (random.nextGaussian() * (shape.equals("flat") ? 0.05 : 3));
        }
        if (shape.equals("peaked")) {
            for (int i = 0; i < 8; i++) {
                values[random.nextInt(VOCAB)] += 12 + i;
            }
        }
        int bytes = type == TensorFloatType.FLOAT16 ? 2 : 4;
        ByteBuffer buffer = ByteBuffer.allocateDirect(VOCAB * bytes).order(ByteOrder.nativeOrder());
        for (int i = 0; i < VOCAB; i++) {
            if (type == TensorFloatType.FLOAT16) {
                buffer.putShort(i * 2, Float.floatToFloat16(values[i]));
            } else {
                buffer.putFloat(i * 4, values[i]);
            }
        }
        row = LogitsRow.of(buffer, type, 0, VOCAB);
        GenerationOptions.Builder b = GenerationOptions.builder().seed(5L);
        switch (config) {
            case "greedy", "naiveFullSort" -> {}
            case "greedyPenalty" -> b.repetitionPenalty(1.1);
            case "temperature" -> b.doSample(true).temperature(0.8);
            case "topK50" -> b.doSample(true).topK(50);
            case "topP0.9" -> b.doSample(true).topP(0.9);
            case "topK50TopP0.9MinP0.05" -> b.doSample(true).topK(50).topP(0.9).minP(0.05);
            default -> throw new IllegalArgumentException(config);
        }
        sampler = TokenSampler.create(b.build(), VOCAB, 200020, 199999);
        history = new TokenHistory(VOCAB, random.ints(1000, 0, VOCAB).toArray());
        naive = config.equals("naiveFullSort");
        naiveScratch = new float[VOCAB];
        naiveKeys = new long[VOCAB];
    }

    @Setup(Level.Iteration)
    public void resetHistory() {
        history = new TokenHistory(VOCAB, new Random(2).ints(1000, 0, VOCAB).toArray());
    }

    @Benchmark
    public int chooseToken() {
        return naive ? naiveFullSort() : sampler.next(row, history);
    }

    /** Copy, full sort by value, full softmax, cumulative walk to 0.9: the baseline the partial selection avoids. */
    private int naiveFullSort() {
        float[] s = naiveScratch;
        for (int i = 0; i < VOCAB; i++) {
            s[i] = row.get(i);
        }
        for (int i = 0; i < VOCAB; i++) {
            int bits = Float.floatToRawIntBits(s[i]);
            int ordered = bits ^ ((bits >> 31) & 0x7fffffff);
            naiveKeys[i] = ((long) ~ordered << 32) | i;
        }
        Arrays.sort(naiveKeys);
        float max = s[(int) naiveKeys[0]];
        double total = 0;
        for (int i = 0; i < VOCAB; i++) {
            total += Math.exp(s[i] - max);
        }
        double target = 0.9 * total;
        double cumulative = 0;
        int j = 0;
        while (cumulative < target) {
            cumulative += Math.exp(s[(int) naiveKeys[j++]] - max);
        }
        return (int) naiveKeys[j - 1];
    }
}
