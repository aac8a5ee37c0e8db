package dev.phi4ee.benchmarks;

import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.api.ContentPart;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.generate.DecodingSession;
import dev.phi4ee.core.generate.OnnxPhi4Engine;
import dev.phi4ee.core.generate.Phi4Graphs;
import dev.phi4ee.core.generate.TextCodec;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.SessionSettings;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What prefilling several waiting requests in one decoder call could save (issue 15), before building it: on the kit
 * model (fp32, one intra-op thread), B prompts of {@code prompt} tokens (default 10) prefilled one decoder call each,
 * as the engine does, against one batch-1 call over all B × prompt positions — the same rows through every projection
 * and the 200k-vocabulary head as a {@code [B, prompt]} call (its attention is larger, so this bounds the batched
 * call's cost from above at these lengths). Set against the engine's whole-request time for the same B requests of 32
 * new tokens ({@code minNewTokens} 32, submitted at once) with {@code prefillChunkTokens} 0 (each prompt alone at its
 * admission): the share of a wave that batching the prefill could save; and that wave measured with {@code
 * prefillChunkTokens} 512, where waiting prompts of one length share a decoder call (engines alternate per round).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -Drounds=5 -cp benchmarks/target/benchmarks.jar \
 *     dev.phi4ee.benchmarks.PrefillBatchingProbe</pre>
 */
public final class PrefillBatchingProbe {
    private PrefillBatchingProbe() {}

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 5);
        int prompt = Integer.getInteger("prompt", 10);
        Path dir = Files.createTempDirectory("phi4-prefill-batching-probe-");
        Phi4TestModels.write(dir, TestModelSpec.builder().maxLength(1024).build());
        ModelDirectory md = ModelDirectory.open(dir);
        SplittableRandom random = new SplittableRandom(15);
        for (int batch : new int[] {4, 16}) {
            long[][] prompts = new long[batch][];
            for (int b = 0; b < batch; b++) {
                prompts[b] = random.longs(prompt, 1000, 150_000).toArray();
            }
            long[] all = new long[batch * prompt];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(prompts[b], 0, all, b * prompt, prompt);
            }
            List<Double> separate = new ArrayList<>();
            List<Double> together = new ArrayList<>();
            List<Double> wave = new ArrayList<>();
            List<Double> batchedWave = new ArrayList<>();
            EngineOptions.Builder options = EngineOptions.builder()
                    .executionProvider("cpu")
                    .intraOpThreads(1)
                    .kvCacheMode(KvCacheMode.SHARED_BUFFER)
                    .maxBatchSize(batch);
            try (Phi4Graphs graphs = Phi4Graphs.open(md, SessionSettings.cpu(1));
                    DecodingSession s = new DecodingSession(graphs, true, 1024, Integer.MAX_VALUE);
                    OnnxPhi4Engine engine = OnnxPhi4Engine.open(
                            md, options.prefillChunkTokens(0).build(), new Codec(prompts), r -> null);
                    OnnxPhi4Engine batching = OnnxPhi4Engine.open(
                            md, options.prefillChunkTokens(512).build(), new Codec(prompts), r -> null)) {
                for (int r = 0; r <= rounds; r++) { // round 0 warms up
                    long t0 = System.nanoTime();
                    for (long[] p : prompts) {
                        s.prefill(p, null, null);
                        s.reset();
                    }
                    long t1 = System.nanoTime();
                    s.prefill(all, null, null);
                    s.reset();
                    long t2 = System.nanoTime();
                    wave(engine, batch);
                    long t3 = System.nanoTime();
                    wave(batching, batch);
                    long t4 = System.nanoTime();
                    if (r > 0) {
                        separate.add((t1 - t0) / 1e6);
                        together.add((t2 - t1) / 1e6);
                        wave.add((t3 - t2) / 1e6);
                        batchedWave.add((t4 - t3) / 1e6);
                    }
                }
            }
            double sep = median(separate);
            double tog = median(together);
            double w = median(wave);
            double bw = median(batchedWave);
            System.out.printf(
                    "B=%d prompts of %d tokens: one call each %.1f ms, one call over all %d positions %.1f ms"
                            + " (%.2f×); engine wave of %d requests × 32 tokens %.1f ms: batching the prefill saves"
                            + " at most %.1f %% of it; measured with prefillChunkTokens 512 (waiting prompts of one"
                            + " length share a call) %.1f ms: requests/s ×%.2f (medians of %d rounds)%n",
                    batch,
                    prompt,
                    sep,
                    batch * prompt,
                    tog,
                    sep / tog,
                    batch,
                    w,
                    100 * (sep - tog) / w,
                    bw,
                    w / bw,
                    rounds);
        }
    }

    /** {@code batch} requests of 32 new tokens submitted at once; returns when all completed. */
    private static void wave(OnnxPhi4Engine engine, int batch) throws Exception {
        List<GenerationHandle> handles = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            handles.add(engine.stream(
                    GenerationRequest.builder()
                            .user(Integer.toString(b))
                            .options(GenerationOptions.builder()
                                    .maxNewTokens(32)
                                    .minNewTokens(32)
                                    .build())
                            .build(),
                    d -> {}));
        }
        for (GenerationHandle h : handles) {
            h.result().get(5, TimeUnit.MINUTES);
        }
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** User text {@code "b"}: prompt {@code b}. */
    private record Codec(long[][] prompts) implements TextCodec {
        @Override
        public int[] encodeChat(List<ChatMessage> messages) {
            String b = ((ContentPart.Text) messages.get(0).parts().get(0)).text();
            long[] p = prompts[Integer.parseInt(b)];
            int[] ids = new int[p.length];
            for (int i = 0; i < p.length; i++) {
                ids[i] = Math.toIntExact(p[i]);
            }
            return ids;
        }

        @Override
        public TextStream newStream() {
            return new SilentTextStream();
        }
    }
}
