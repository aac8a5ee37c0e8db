package dev.phi4ee.benchmarks;

import dev.phi4ee.core.model.ModelDirectory;
import java.nio.ByteBuffer;
import java.util.Random;

/**
 * Issue 15's B = 1 gap, fifth round: how much memory traffic between decoder runs it takes to slow the kit's decode
 * step. The kit's lm_head (hidden 32 × vocabulary 200,064, fp32) is 25.6 MB and this machine's L3 cache 32 MB, so a
 * batch-1 step mostly re-reads weights that may still be cached; whatever else a loop touches between steps evicts
 * them. {@link RawBatchLoop} at B = 1 (plain argmax) writes {@code N} MB of fresh memory per step, one store per cache
 * line, walking on through a 64 MB buffer as a TLAB walks through the Java heap, in rounds alternating with a loop that
 * writes nothing, {@code -Drepeat} (default 2) requests each; prints the median ratio of their decoder time (> 1: the
 * traffic slows the decoder) with a bootstrap 95 % interval.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -Drounds=241 -cp benchmarks/target/benchmarks.jar \
 *     dev.phi4ee.benchmarks.CacheEvictionProbe 0.25 1 2 8</pre>
 */
public final class CacheEvictionProbe {
    private static final int SPAN = 64 << 20;
    private static final int LINE = 64;

    private CacheEvictionProbe() {}

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 241);
        int repeat = Integer.getInteger("repeat", 2);
        TextKitModel kit = new TextKitModel("phi4-eviction-probe-");
        ModelDirectory md = kit.model();
        long[][] prompts = {
            new Random(15).longs(BatchPairedProbe.PROMPT, 1000, 150_000).toArray()
        };
        Traffic traffic = new Traffic(ByteBuffer.allocateDirect(SPAN));
        try (RawBatchLoop loop = new RawBatchLoop(
                md, BatchPairedProbe.SLOTS, md.config().search().maxLength(), BatchPairedProbe.PROMPT, false)) {
            for (String arg : args.length > 0 ? args : new String[] {"0.25", "1", "2", "8"}) {
                int bytes = (int) (Double.parseDouble(arg) * (1 << 20));
                decoderMs(loop, prompts, 2, traffic, bytes); // warm-up
                double[] ratio = new double[rounds];
                double[] quiet = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    boolean quietFirst = r % 2 == 0;
                    double a = quietFirst ? decoderMs(loop, prompts, repeat, traffic, 0) : 0;
                    double b = decoderMs(loop, prompts, repeat, traffic, bytes);
                    if (!quietFirst) {
                        a = decoderMs(loop, prompts, repeat, traffic, 0);
                    }
                    ratio[r] = b / a;
                    quiet[r] = a / repeat;
                }
                System.out.printf(
                        "%6.2f MB written per step: decoder time %s × (without: %.2f ms per request)%n",
                        bytes / 1048576.0,
                        SingleRequestPairedProbe.withInterval(ratio),
                        BatchPairedProbe.median(quiet));
            }
        } finally {
            kit.close();
        }
    }

    /** Decoder milliseconds of {@code repeat} greedy requests, {@code bytes} written between every two steps. */
    private static double decoderMs(RawBatchLoop loop, long[][] prompts, int repeat, Traffic traffic, int bytes) {
        long d0 = loop.decoderNanos();
        for (int i = 0; i < repeat; i++) {
            loop.run(prompts, BatchPairedProbe.NEW_TOKENS, (row, logits) -> {
                traffic.write(bytes);
                return BatchPairedProbe.plainArgmax(logits);
            });
        }
        return (loop.decoderNanos() - d0) / 1e6;
    }

    /** Writes go on where the previous ones ended, so every line written is one not written for a while. */
    private static final class Traffic {
        private final ByteBuffer memory;
        private int at;

        Traffic(ByteBuffer memory) {
            this.memory = memory;
        }

        void write(int bytes) {
            for (int p = 0; p < bytes; p += LINE) {
                memory.putLong(at, p);
                at = (at + LINE) % SPAN;
            }
        }
    }
}
