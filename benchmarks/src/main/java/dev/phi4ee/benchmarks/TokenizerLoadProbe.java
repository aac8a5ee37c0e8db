package dev.phi4ee.benchmarks;

import dev.phi4ee.core.testkit.Phi4TokenizerFiles;
import dev.phi4ee.core.text.Phi4Tokenizer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;

/**
 * Cold-JVM load time of the 200k-entry tokenizer.json: the first {@code Phi4Tokenizer.load} in a fresh JVM, as an
 * application start sees it (JMH's single-shot mode runs after its own set-up has warmed the code). Prints wall time
 * and the loading thread's CPU time; on a busy machine the CPU time is the fairer figure.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.phi4ee.benchmarks.TokenizerLoadProbe write /tmp/phi4-tokenizer
 * java -cp benchmarks/target/benchmarks.jar dev.phi4ee.benchmarks.TokenizerLoadProbe load /tmp/phi4-tokenizer
 * </pre>
 */
public final class TokenizerLoadProbe {
    private TokenizerLoadProbe() {}

    public static void main(String[] args) {
        if (args.length != 2 || !(args[0].equals("write") || args[0].equals("load"))) {
            System.err.println("usage: TokenizerLoadProbe write|load DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[1]);
        if (args[0].equals("write")) {
            Phi4TokenizerFiles.write(dir);
            return;
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = threads.getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        Phi4Tokenizer tokenizer = Phi4Tokenizer.load(dir.resolve("tokenizer.json"));
        long wallMillis = (System.nanoTime() - wall) / 1_000_000;
        long cpuMillis = (threads.getCurrentThreadCpuTime() - cpu) / 1_000_000;
        System.out.printf(
                "cold load of %s (%d ids): wall %d ms, thread CPU %d ms%n",
                dir.resolve("tokenizer.json"), tokenizer.vocabSize(), wallMillis, cpuMillis);
    }
}
