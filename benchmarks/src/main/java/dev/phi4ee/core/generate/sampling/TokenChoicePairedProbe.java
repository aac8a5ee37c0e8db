package dev.phi4ee.core.generate.sampling;

import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.TensorFloatType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Cost of one token choice from a Phi-4-sized row (200,064 logits), {@link TokenSampler} against the implementation
 * it replaced ({@code PreviousTokenSampler}, core's test scope; this class sits in the sampling package to reach it),
 * paired: blocks of calls alternate between the two so that load on a shared machine hits both alike. Prints the
 * median microseconds per choice and the median of the per-block ratios (previous / new, so > 1 is a speed-up).
 * The history holds 1,000 prompt ids; "minNew" masks the end ids every step.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.phi4ee.core.generate.sampling.TokenChoicePairedProbe</pre>
 */
public final class TokenChoicePairedProbe {
    private static final int VOCAB = 200_064;
    private static final int[] EOS = {200_020, 199_999};

    private TokenChoicePairedProbe() {}

    public static void main(String[] args) {
        List<String> configs = List.of(
                (args.length > 0 ? args[0] : "greedy,minNew,penalty,temperature,topK50,topP0.9,topK50TopP0.9MinP0.05")
                        .split(","));
        int rounds = Integer.getInteger("rounds", 9);
        System.out.printf(
                "%-22s %-8s %-7s %12s %12s %9s%n", "config", "type", "shape", "previous us", "new us", "speed-up");
        for (TensorFloatType type : TensorFloatType.values()) {
            for (String shape : new String[] {"peaked", "flat"}) {
                LogitsRow row = row(type, shape);
                for (String config : configs) {
                    measure(config, type, shape, row, rounds);
                }
            }
        }
    }

    private static void measure(String config, TensorFloatType type, String shape, LogitsRow row, int rounds) {
        GenerationOptions options = options(config);
        int[] prompt = new Random(2).ints(1000, 0, 199_000).toArray();
        TokenSampler fast = TokenSampler.create(options, VOCAB, EOS, new int[0]);
        PreviousTokenSampler previous = PreviousTokenSampler.create(options, VOCAB, EOS);
        int block = config.startsWith("top") || config.equals("temperature") ? 4 : 40;
        for (int warm = 0; warm < 30; warm++) {
            fast.next(row, new TokenHistory(VOCAB, prompt));
            previous.next(row, new TokenHistory(VOCAB, prompt));
        }
        double[] fastUs = new double[rounds];
        double[] previousUs = new double[rounds];
        double[] speedUp = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            TokenHistory h1 = new TokenHistory(VOCAB, prompt);
            TokenHistory h2 = new TokenHistory(VOCAB, prompt);
            long t0 = System.nanoTime();
            for (int i = 0; i < block; i++) {
                previous.next(row, h1);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < block; i++) {
                fast.next(row, h2);
            }
            long t2 = System.nanoTime();
            previousUs[r] = (t1 - t0) / 1e3 / block;
            fastUs[r] = (t2 - t1) / 1e3 / block;
            speedUp[r] = previousUs[r] / fastUs[r];
        }
        System.out.printf(
                "%-22s %-8s %-7s %12.1f %12.1f %9.2f%n",
                config, type, shape, median(previousUs), median(fastUs), median(speedUp));
    }

    private static GenerationOptions options(String config) {
        GenerationOptions.Builder b = GenerationOptions.builder().seed(5L).maxNewTokens(10_000);
        return switch (config) {
            case "greedy" -> b.build();
            case "minNew" -> b.minNewTokens(10_000).build();
            case "penalty" -> b.repetitionPenalty(1.1).build();
            case "temperature" -> b.doSample(true).temperature(0.8).build();
            case "topK50" -> b.doSample(true).topK(50).build();
            case "topP0.9" -> b.doSample(true).topP(0.9).build();
            case "topK50TopP0.9MinP0.05" ->
                b.doSample(true).topK(50).topP(0.9).minP(0.05).build();
            default -> throw new IllegalArgumentException(config);
        };
    }

    /** peaked: a few strong candidates over a Gaussian bulk (an LLM's usual row); flat: a near-uniform row. */
    private static LogitsRow row(TensorFloatType type, String shape) {
        Random random = new Random(1);
        float[] values = new float[VOCAB];
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
        return LogitsRow.of(buffer, type, 0, VOCAB);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
