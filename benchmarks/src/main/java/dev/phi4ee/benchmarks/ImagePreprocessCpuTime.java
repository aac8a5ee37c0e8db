package dev.phi4ee.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Thread CPU time per image preprocessing, for shared or oversubscribed machines where JMH's wall-clock numbers
 * mostly measure the scheduler. Same inputs as {@link ImagePreprocessBenchmark}.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.phi4ee.benchmarks.ImagePreprocessCpuTime [iterations]</pre>
 */
public final class ImagePreprocessCpuTime {

    private ImagePreprocessCpuTime() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (String input : new String[] {"photo-1920x1080-jpeg", "scan-a4-300dpi-jpeg"}) {
            ImagePreprocessBenchmark b = new ImagePreprocessBenchmark();
            b.input = input;
            b.setUp();
            for (int i = 0; i < 5; i++) { // warm-up
                b.decodeAndPreprocess();
                b.preprocessOnly();
            }
            long t0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                b.decodeAndPreprocess();
            }
            long t1 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                b.preprocessOnly();
            }
            long t2 = mx.getCurrentThreadCpuTime();
            System.out.printf(
                    "%s: decode+preprocess %.1f ms CPU/op, preprocess only %.1f ms CPU/op%n",
                    input, (t1 - t0) / 1e6 / n, (t2 - t1) / 1e6 / n);
        }
    }
}
