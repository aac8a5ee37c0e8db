package dev.phi4ee.core.testkit;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Deterministic weights: every tensor has its own random stream derived from the model seed and the tensor's name,
 * so a tensor's values do not depend on the order in which graphs are built, and the fp16 and fp32 variants get the
 * same weights. Values are rounded to float16-representable numbers, so both variants hold identical weights and
 * differ only in compute precision.
 */
final class SeededWeights {
    private final long seed;

    SeededWeights(long seed) {
        this.seed = seed;
    }

    /** Normal(mean, std) values for the tensor called {@code name}. */
    float[] normal(String name, int count, double mean, double std) {
        SplittableRandom random = random(name);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = fp16Exact(mean + std * random.nextGaussian());
        }
        return values;
    }

    /** Uniform [low, high) values for the tensor called {@code name}. */
    float[] uniform(String name, int count, double low, double high) {
        SplittableRandom random = random(name);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = fp16Exact(random.nextDouble(low, high));
        }
        return values;
    }

    private SplittableRandom random(String name) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x100000001B3L;
        }
        return new SplittableRandom(h);
    }

    static float fp16Exact(double value) {
        return Float.float16ToFloat(Float.floatToFloat16((float) value));
    }
}
