package dev.phi4ee.benchmarks;

import java.util.Arrays;

/**
 * Paired version of {@link DecodeStepBenchmark} for shared, noisy machines: engine and raw steps run in alternating
 * blocks of 20 on the same state, so load changes hit both sides alike; prints per-step medians and their ratio.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *     dev.phi4ee.benchmarks.DecodeStepPairedProbe 64 1024</pre>
 */
public final class DecodeStepPairedProbe {
    private DecodeStepPairedProbe() {}

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 40);
        int block = 20;
        double[] medians = new double[args.length];
        for (int a = 0; a < args.length; a++) {
            DecodeStepBenchmark b = new DecodeStepBenchmark();
            b.context = Integer.parseInt(args[a]);
            b.setUp();
            try {
                for (int i = 0; i < 200; i++) { // warm-up
                    b.engineStep();
                    b.rawOrtStep();
                }
                double[] engine = new double[rounds];
                double[] runsOnly = new double[rounds];
                double[] raw = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < block; i++) {
                        b.engineStep();
                    }
                    long t1 = System.nanoTime();
                    for (int i = 0; i < block; i++) {
                        b.rawOrtStep();
                    }
                    long t2 = System.nanoTime();
                    for (int i = 0; i < block; i++) {
                        b.engineRunsOnly();
                    }
                    long t3 = System.nanoTime();
                    engine[r] = (t1 - t0) / 1e3 / block;
                    raw[r] = (t2 - t1) / 1e3 / block;
                    runsOnly[r] = (t3 - t2) / 1e3 / block;
                }
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratios[r] = engine[r] / raw[r];
                }
                medians[a] = median(engine);
                System.out.printf(
                        "context %5d: engine %.1f us/step (graph runs alone %.1f), raw %.1f us/step,"
                                + " median of paired ratios %.3f%n",
                        b.context, median(engine), median(runsOnly), median(raw), median(ratios));
            } finally {
                b.tearDown();
            }
        }
        if (args.length == 2) {
            System.out.printf("engine step at context %s / at %s: %.3f%n", args[1], args[0], medians[1] / medians[0]);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
