package dev.phi4ee.benchmarks;

import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.api.ContentPart;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.generate.OnnxPhi4Engine;
import dev.phi4ee.core.generate.TextCodec;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Issue 15's time to first token with a shared prefix: requests of a {@code prefix}-token prefix (default 2000) and a
 * 16-token question, one at a time, on the kit model (fp32, one intra-op thread). Each round takes a fresh prefix and
 * runs, on an engine without prefix cache ("off") and one with it ("on"), the same two questions: on "on" the first
 * misses (the prefix is computed in block-aligned runs and stored: "cold") and the second reuses it ("warm"). Printed:
 * medians of per-round ratios off/warm (the speed-up of reuse) and cold/off (what the cache costs on a miss), and the
 * median times. Tokens are checked equal between the engines.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -Drounds=5 -Dprefix=2000 -Dblock=64 -cp benchmarks/target/benchmarks.jar \
 *     dev.phi4ee.benchmarks.PrefixReuseProbe</pre>
 */
public final class PrefixReuseProbe {
    static final int QUESTION = 16;

    private PrefixReuseProbe() {}

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 5);
        int prefix = Integer.getInteger("prefix", 2000);
        Path dir = Files.createTempDirectory("phi4-prefix-probe-");
        Phi4TestModels.write(
                dir,
                TestModelSpec.builder()
                        .contextLength(8192)
                        .maxLength(4096)
                        .originalMaxPositionEmbeddings(4096)
                        .includeVision(false)
                        .includeSpeech(false)
                        .build());
        ModelDirectory md = ModelDirectory.open(dir);
        Random random = new Random(15);
        long[][] prefixes = new long[rounds + 1][];
        long[][] questions = new long[2 * rounds + 2][];
        for (int i = 0; i < prefixes.length; i++) {
            prefixes[i] = random.longs(prefix, 1000, 150_000).toArray();
        }
        for (int i = 0; i < questions.length; i++) {
            questions[i] = random.longs(QUESTION, 1000, 150_000).toArray();
        }
        Codec codec = new Codec(prefixes, questions);
        EngineOptions.Builder options = EngineOptions.builder()
                .executionProvider("cpu")
                .intraOpThreads(1)
                .kvCacheMode(KvCacheMode.SHARED_BUFFER)
                .maxBatchSize(4);
        try (OnnxPhi4Engine off =
                        OnnxPhi4Engine.open(md, options.prefixCacheBytes(0).build(), codec, r -> null);
                OnnxPhi4Engine on = OnnxPhi4Engine.open(
                        md,
                        options.prefixCacheBytes(256L << 20)
                                .prefixBlockTokens(Integer.getInteger("block", 64))
                                .build(),
                        codec,
                        r -> null)) {
            // Warm-up: JIT, sessions, buffers (prefix index `rounds` is never measured).
            run(off, rounds, 2 * rounds);
            run(on, rounds, 2 * rounds);
            run(on, rounds, 2 * rounds + 1);
            List<Double> speedUp = new ArrayList<>();
            List<Double> missCost = new ArrayList<>();
            List<Double> offMs = new ArrayList<>();
            List<Double> coldMs = new ArrayList<>();
            List<Double> warmMs = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                GenerationResult offFirst = run(off, r, 2 * r);
                GenerationResult offSecond = run(off, r, 2 * r + 1);
                GenerationResult cold = run(on, r, 2 * r);
                GenerationResult warm = run(on, r, 2 * r + 1);
                if (!offFirst.tokenIds().equals(cold.tokenIds())
                        || !offSecond.tokenIds().equals(warm.tokenIds())) {
                    throw new AssertionError("round " + r + ": tokens differ with the prefix cache");
                }
                double o = ms(offSecond);
                offMs.add(o);
                coldMs.add(ms(cold));
                warmMs.add(ms(warm));
                speedUp.add(o / ms(warm));
                missCost.add(ms(cold) / ms(offFirst));
                System.out.printf(
                        "round %d: off %.1f / %.1f ms, cold %.1f ms, warm %.1f ms%n",
                        r, ms(offFirst), o, ms(cold), ms(warm));
            }
            System.out.printf(
                    "prefix %d + question %d tokens, blocks of %d, %d rounds: time to first token off %.1f ms, on cold %.1f ms, on"
                            + " warm %.1f ms (medians); off/warm %.2f, cold/off %.2f (medians of per-round"
                            + " ratios)%n",
                    prefix,
                    QUESTION,
                    Integer.getInteger("block", 64),
                    rounds,
                    median(offMs),
                    median(coldMs),
                    median(warmMs),
                    median(speedUp),
                    median(missCost));
        }
    }

    private static GenerationResult run(OnnxPhi4Engine engine, int prefix, int question) {
        return engine.generate(GenerationRequest.builder()
                .user(prefix + "," + question)
                .options(GenerationOptions.builder().maxNewTokens(1).build())
                .build());
    }

    private static double ms(GenerationResult r) {
        return r.timings().timeToFirstToken().toNanos() / 1e6;
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** User text {@code "p,q"}: prefix {@code p} followed by question {@code q}. */
    private record Codec(long[][] prefixes, long[][] questions) implements TextCodec {
        @Override
        public int[] encodeChat(List<ChatMessage> messages) {
            String[] pq =
                    ((ContentPart.Text) messages.get(0).parts().get(0)).text().split(",");
            long[] p = prefixes[Integer.parseInt(pq[0])];
            long[] q = questions[Integer.parseInt(pq[1])];
            return IntStream.concat(
                            Arrays.stream(p).mapToInt(Math::toIntExact),
                            Arrays.stream(q).mapToInt(Math::toIntExact))
                    .toArray();
        }

        @Override
        public TextStream newStream() {
            return new SilentTextStream();
        }
    }
}
