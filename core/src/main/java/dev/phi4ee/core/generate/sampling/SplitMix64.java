package dev.phi4ee.core.generate.sampling;

/**
 * The SplitMix64 generator (Steele, Lea, Flood 2014): 64 bits of state, passes BigCrush, and is fully specified by the
 * few lines below. Implemented here rather than taken from {@code java.util.random} so that a seed gives the same
 * token stream on every JDK and platform: seeded reproducibility is part of the API contract.
 */
final class SplitMix64 {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    long nextLong() {
        long z = (state += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }
}
