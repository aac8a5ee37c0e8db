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
import dev.phi4ee.core.generate.sampling.LogitsRow;
import dev.phi4ee.core.generate.sampling.TokenHistory;
import dev.phi4ee.core.generate.sampling.TokenSampler;
import dev.phi4ee.core.model.ModelDirectory;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * Issue 15's measurement: the engine against {@link RawBatchLoop} doing the same batched work, paired in one JVM on
 * the kit model (fp32, one intra-op thread, shared-buffer KV cache, 16 slots): {@code B} requests of 10 prompt ids
 * and 32 new tokens, submitted at once; the raw loop prefills them one by one and decodes them together. Rounds of
 * engine, raw loop with the engine's own {@link TokenSampler} ("raw"), and raw loop with a plain scalar argmax
 * ("plain", what a hand-written loop does whatever the options) alternate, so load changes on a shared machine hit
 * all three alike; the printed ratios are medians of per-round ratios, of wall-clock rates and of process-CPU-time
 * rates (the second is the steadier one on a loaded machine; it does not see time lost waiting between threads). Decoding settings: greedy, greedy with
 * {@code minNewTokens} 32 (end ids masked every step), repetition penalty 1.2, top-p 0.9 sampling (seeded per request,
 * so the raw loop draws the same tokens). Greedy and seeded tokens are checked equal between engine and raw loop.
 *
 * <p>{@code -DprefixCacheBytes=0} runs the engine without its prefix cache (default: the engine's default);
 * {@code -DtokenChoiceThreads=N} lets it choose a step's tokens on N threads (the raw loop always uses one).
 * {@code -DrawLayout=engine} and {@code -DrawBuffers=direct} give the raw loop the engine's logits buffers (see
 * {@link RawBatchLoop}); the last column is the raw loop's time inside decoder runs per request ("raw" rounds only).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -Drounds=5 -cp benchmarks/target/benchmarks.jar \
 *     dev.phi4ee.benchmarks.BatchPairedProbe [greedy,minNew,penalty,topP] [1,4,16]</pre>
 */
public final class BatchPairedProbe {
    static final int PROMPT = 10;
    static final int NEW_TOKENS = 32;
    static final int SLOTS = 16;
    static final int[] EOS = {200_020, 199_999};
    /** The media placeholders, which the engine never generates (with this codec, the only ids it excludes). */
    static final int[] NEVER = {200_010, 200_011};

    private BatchPairedProbe() {}

    public static void main(String[] args) throws Exception {
        List<String> configs = List.of((args.length > 0 ? args[0] : "greedy,minNew,penalty,topP").split(","));
        int[] batches = Arrays.stream((args.length > 1 ? args[1] : "1,4,16").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        int rounds = Integer.getInteger("rounds", 5);
        TextKitModel kit = new TextKitModel("phi4-batch-probe-");
        ModelDirectory md = kit.model();
        Random random = new Random(15);
        long[][] prompts = new long[SLOTS][];
        for (int i = 0; i < SLOTS; i++) {
            prompts[i] = random.longs(PROMPT, 1000, 150_000).toArray();
        }
        EngineOptions options = engineOptions();
        System.out.printf(
                "prefix cache %d bytes, %d token-choice threads%n",
                options.prefixCacheBytes(), options.tokenChoiceThreads());
        try (OnnxPhi4Engine engine = OnnxPhi4Engine.open(md, options, new PromptCodec(prompts), r -> null);
                RawBatchLoop raw =
                        new RawBatchLoop(md, SLOTS, md.config().search().maxLength(), PROMPT)) {
            System.out.println(raw.layout());
            Probe probe = new Probe(engine, raw, prompts, md.config().vocabSize());
            for (int warm = 0; warm < 3; warm++) {
                for (String config : configs) {
                    probe.round(config, SLOTS);
                }
            }
            System.out.printf(
                    "%-8s %3s %12s %12s %12s %11s %11s %13s %13s %15s%n",
                    "config",
                    "B",
                    "engine tok/s",
                    "raw tok/s",
                    "plain tok/s",
                    "engine/raw",
                    "(cpu time)",
                    "engine/plain",
                    "(cpu time)",
                    "raw dec ms/req");
            for (String config : configs) {
                for (int b : batches) {
                    probe.report(config, b, rounds);
                }
            }
        } finally {
            kit.close();
        }
    }

    /**
     * The engine the paired probes measure: CPU, one intra-op thread, shared-buffer KV cache of {@link #SLOTS} slots;
     * {@code -DprefixCacheBytes} and {@code -DtokenChoiceThreads} as given.
     */
    static EngineOptions engineOptions() {
        return EngineOptions.builder()
                .executionProvider("cpu")
                .intraOpThreads(1)
                .kvCacheMode(KvCacheMode.SHARED_BUFFER)
                .maxBatchSize(SLOTS)
                .prefixCacheBytes(Long.getLong("prefixCacheBytes", EngineOptions.DEFAULT_PREFIX_CACHE_BYTES))
                .tokenChoiceThreads(Integer.getInteger("tokenChoiceThreads", 1))
                .build();
    }

    static GenerationOptions options(String config, int request) {
        GenerationOptions.Builder b = GenerationOptions.builder().maxNewTokens(NEW_TOKENS);
        return switch (config) {
            case "greedy" -> b.build();
            case "minNew" -> b.minNewTokens(NEW_TOKENS).build();
            case "penalty" -> b.repetitionPenalty(1.2).build();
            case "topP" -> b.doSample(true).topP(0.9).seed((long) request).build();
            default -> throw new IllegalArgumentException("unknown config " + config);
        };
    }

    private static final class Probe {
        private final OnnxPhi4Engine engine;
        private final RawBatchLoop raw;
        private final long[][] prompts;
        private final int vocab;

        Probe(OnnxPhi4Engine engine, RawBatchLoop raw, long[][] prompts, int vocab) {
            this.engine = engine;
            this.raw = raw;
            this.prompts = prompts;
            this.vocab = vocab;
        }

        void report(String config, int batch, int rounds) {
            double[][] engine = new double[rounds][];
            double[][] rawLoop = new double[rounds][];
            double[][] plain = new double[rounds][];
            int repeat = Math.max(1, SLOTS / batch); // rounds of similar length: the CPU clock ticks coarsely
            long decoder0 = raw.decoderNanos();
            long plainDecoder = 0;
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 0) { // the order alternates too: whichever runs after another loop pays its cache misses
                    engine[r] = timed(repeat, () -> engineRound(config, batch));
                    rawLoop[r] = timed(repeat, () -> rawRound(config, batch));
                } else {
                    rawLoop[r] = timed(repeat, () -> rawRound(config, batch));
                    engine[r] = timed(repeat, () -> engineRound(config, batch));
                }
                long p0 = raw.decoderNanos();
                plain[r] = timed(repeat, () -> plainRound(batch));
                plainDecoder += raw.decoderNanos() - p0;
            }
            double rawDecoderMs =
                    (raw.decoderNanos() - decoder0 - plainDecoder) / 1e6 / ((long) rounds * repeat * batch);
            System.out.printf(
                    "%-8s %3d %12.0f %12.0f %12.0f %11.3f %11.3f %13.3f %13.3f %15.2f%n",
                    config,
                    batch,
                    median(engine, 0),
                    median(rawLoop, 0),
                    median(plain, 0),
                    medianRatio(engine, rawLoop, 0),
                    medianRatio(engine, rawLoop, 1),
                    medianRatio(engine, plain, 0),
                    medianRatio(engine, plain, 1),
                    rawDecoderMs);
        }

        /** One round of each; fails when the engine and the raw loop disagree on a token. */
        void round(String config, int batch) {
            int[][] e = engineTokens(config, batch);
            int[][] r = rawTokens(config, batch);
            plainRound(batch);
            for (int i = 0; i < batch; i++) {
                if (!Arrays.equals(e[i], r[i])) {
                    throw new IllegalStateException(config + " request " + i + ": engine " + Arrays.toString(e[i])
                            + " vs raw " + Arrays.toString(r[i]));
                }
            }
        }

        private int engineRound(String config, int batch) {
            return Arrays.stream(engineTokens(config, batch))
                    .mapToInt(t -> t.length)
                    .sum();
        }

        private int[][] engineTokens(String config, int batch) {
            List<CompletableFuture<GenerationResult>> all = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                all.add(engine.stream(
                                GenerationRequest.builder()
                                        .user(Integer.toString(i))
                                        .options(options(config, i))
                                        .build(),
                                delta -> {})
                        .result());
            }
            int[][] tokens = new int[batch][];
            for (int i = 0; i < batch; i++) {
                tokens[i] = all.get(i).join().tokenIds().stream()
                        .mapToInt(Integer::intValue)
                        .toArray();
            }
            return tokens;
        }

        private int rawRound(String config, int batch) {
            return Arrays.stream(rawTokens(config, batch))
                    .mapToInt(t -> t.length)
                    .sum();
        }

        /** The raw loop choosing with the engine's sampler, one sampler and history per request, as the engine does. */
        private int[][] rawTokens(String config, int batch) {
            long[][] p = Arrays.copyOf(prompts, batch);
            TokenSampler[] samplers = new TokenSampler[batch];
            TokenHistory[] histories = new TokenHistory[batch];
            for (int i = 0; i < batch; i++) {
                samplers[i] = TokenSampler.create(options(config, i), vocab, EOS, NEVER);
                histories[i] = new TokenHistory(
                        vocab, Arrays.stream(p[i]).mapToInt(Math::toIntExact).toArray());
            }
            int[][] tokens = raw.run(p, NEW_TOKENS, (row, logits) -> samplers[row].next(logits, histories[row]));
            for (int i = 0; i < batch; i++) {
                tokens[i] = untilEnd(tokens[i]);
            }
            return tokens;
        }

        private int plainRound(int batch) {
            int[][] tokens = raw.run(Arrays.copyOf(prompts, batch), NEW_TOKENS, (row, logits) -> plainArgmax(logits));
            return batch * tokens[0].length;
        }
    }

    /** {@code tokens} up to its first end id: the engine stops a request there, the raw loop runs on. */
    static int[] untilEnd(int[] tokens) {
        for (int t = 0; t < tokens.length; t++) {
            if (tokens[t] == EOS[0] || tokens[t] == EOS[1]) {
                return Arrays.copyOf(tokens, t);
            }
        }
        return tokens;
    }

    /** The scalar loop a hand-written decoder would use: read every logit once, keep the first largest. */
    static int plainArgmax(LogitsRow row) {
        int best = 0;
        float bestValue = row.get(0);
        for (int i = 1, n = row.size(); i < n; i++) {
            float v = row.get(i);
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }

    interface Round {
        int tokens();
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /**
     * Tokens per second of {@code repeat} rounds: by wall-clock time, and by the process's CPU time (every thread: the engine's
     * and the caller's), which other processes on a shared machine disturb far less.
     */
    static double[] timed(int repeat, Round round) {
        long cpu0 = OS.getProcessCpuTime();
        long t0 = System.nanoTime();
        int tokens = 0;
        for (int i = 0; i < repeat; i++) {
            tokens += round.tokens();
        }
        long t1 = System.nanoTime();
        long cpu1 = OS.getProcessCpuTime();
        return new double[] {tokens / ((t1 - t0) / 1e9), tokens / ((cpu1 - cpu0) / 1e9)};
    }

    static double median(double[][] rounds, int column) {
        return median(Arrays.stream(rounds).mapToDouble(r -> r[column]).toArray());
    }

    /** Median over rounds of the per-round ratio a / b (rates, so > 1 means a is faster). */
    static double medianRatio(double[][] a, double[][] b, int column) {
        double[] ratios = new double[a.length];
        for (int r = 0; r < a.length; r++) {
            ratios[r] = a[r][column] / b[r][column];
        }
        return median(ratios);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** Prompt ids by request number (the user text), no text out: the probe measures decoding, not detokenizing. */
    record PromptCodec(long[][] prompts) implements TextCodec {
        @Override
        public int[] encodeChat(List<ChatMessage> messages) {
            String text = ((ContentPart.Text) messages.get(0).parts().get(0)).text();
            return Arrays.stream(prompts[Integer.parseInt(text)])
                    .mapToInt(Math::toIntExact)
                    .toArray();
        }

        @Override
        public TextStream newStream() {
            return new SilentTextStream();
        }
    }
}
