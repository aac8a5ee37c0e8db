package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.generate.kv.MemoryProbe;
import dev.phi4ee.core.generate.prefix.PrefixCache;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Prefix reuse through the whole engine (real tokenizer, encoders, LoRA adapters, batching slots): every request's
 * greedy tokens equal those of an engine without a prefix cache, while the shared prefix is copied instead of run
 * (counted in decoder positions), and media, adapters and the RoPE regime keep apart what must not be shared.
 */
class PrefixReuseTest {
    static final int BLOCK = 16;
    static final TestModelSpec SPEC = KitModels.spec()
            .maxLength(2048)
            .originalMaxPositionEmbeddings(1024)
            .includeVision(true)
            .includeSpeech(true)
            .build();

    static OnnxPhi4Engine open(long prefixBytes, KvCacheMode mode, Placement.Kind placement) {
        return open(prefixBytes, mode, placement, r -> null);
    }

    static OnnxPhi4Engine open(
            long prefixBytes,
            KvCacheMode mode,
            Placement.Kind placement,
            Function<GenerationRequest, TokenChooser> choosers) {
        ModelDirectory dir = ModelDirectory.open(KitModels.dir(SPEC));
        return OnnxPhi4Engine.open(
                dir,
                EngineOptions.builder()
                        .executionProvider("cpu")
                        .intraOpThreads(1)
                        .maxBatchSize(2)
                        .kvCacheMode(mode)
                        .prefixCacheBytes(prefixBytes)
                        .prefixBlockTokens(BLOCK)
                        .build(),
                Phi4TextCodec.load(dir),
                choosers,
                placement,
                MemoryProbe.system());
    }

    static OnnxPhi4Engine withoutCache() {
        return withoutCache(KvCacheMode.AUTO);
    }

    static OnnxPhi4Engine withoutCache(KvCacheMode mode) {
        return open(0, mode, Placement.Kind.HOST);
    }

    static String words(int n, int seed) {
        String[] w = {"invoice", "total", "the", "customer", "shall", "route", "order", "status", "übersicht", "電話"};
        StringBuilder s = new StringBuilder("Instructions " + seed + ":");
        for (int i = 0; i < n; i++) {
            s.append(' ').append(w[(i * 7 + seed * 3 + i / 5) % w.length]);
        }
        return s.toString();
    }

    static GenerationRequest text(String system, String question, int maxNew) {
        return GenerationRequest.builder()
                .system(system)
                .user(question)
                .options(GenerationOptions.builder().maxNewTokens(maxNew).build())
                .build();
    }

    static GenerationRequest image(String system, Media image, String question) {
        return GenerationRequest.builder()
                .system(system)
                .image(image)
                .user(question)
                .options(GenerationOptions.builder().maxNewTokens(6).build())
                .build();
    }

    static GenerationRequest audio(String system, Media audio, String question) {
        return GenerationRequest.builder()
                .system(system)
                .audio(audio)
                .user(question)
                .options(GenerationOptions.builder().maxNewTokens(6).build())
                .build();
    }

    /** Runs the requests one after another; returns each request's tokens. */
    static List<List<Integer>> sequential(OnnxPhi4Engine engine, List<GenerationRequest> requests) {
        List<List<Integer>> out = new ArrayList<>();
        for (GenerationRequest r : requests) {
            out.add(engine.generate(r).tokenIds());
        }
        return out;
    }

    /** Prompt positions from reused blocks for each request, run one after another. */
    static List<Long> reusedPerRequest(
            OnnxPhi4Engine engine, List<GenerationRequest> requests, List<List<Integer>> out) {
        List<Long> reused = new ArrayList<>();
        for (GenerationRequest r : requests) {
            long before = engine.prefixCache().reusedTokens();
            out.add(engine.generate(r).tokenIds());
            reused.add(engine.prefixCache().reusedTokens() - before);
        }
        return reused;
    }

    @ParameterizedTest
    @CsvSource({"SHARED_BUFFER, HOST", "SHARED_BUFFER, DEVICE", "GROWING, HOST"})
    void requestsSharingASystemPromptGetTheirTokensWhileThePrefixIsCopiedNotRun(
            KvCacheMode mode, Placement.Kind placement) throws Exception {
        String system = words(120, 1);
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            requests.add(text(system, "Question " + i + ": " + words(3 + i, 10 + i), 8));
        }
        requests.add(requests.get(0)); // the very same prompt again
        List<List<Integer>> expected;
        long coldPositions;
        try (OnnxPhi4Engine cold = withoutCache(mode)) {
            expected = sequential(cold, requests);
            coldPositions = cold.decoderPositions();
        }
        try (OnnxPhi4Engine engine = open(64L << 20, mode, placement)) {
            // Submitted together: admission is FIFO and each prefill stores its blocks before the next lookup.
            List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
            for (GenerationRequest r : requests) {
                results.add(engine.stream(r, d -> {}).result());
            }
            for (int i = 0; i < requests.size(); i++) {
                assertThat(results.get(i).get(60, TimeUnit.SECONDS).tokenIds())
                        .as("request %d", i)
                        .isEqualTo(expected.get(i));
            }
            PrefixCache cache = engine.prefixCache();
            assertThat(cache.hits()).as("every request after the first").isEqualTo(requests.size() - 1);
            assertThat(cache.reusedTokens()).isGreaterThanOrEqualTo((long) (requests.size() - 1) * 8 * BLOCK);
            assertThat(engine.decoderPositions())
                    .as("exactly the reused positions were not run")
                    .isEqualTo(coldPositions - cache.reusedTokens());
        }
    }

    /**
     * A miss stores its blocks after its first token is chosen (the time to first token does not pay for the store),
     * still before the next request's lookup: submitted together, the second request's first token is chosen with
     * the first's blocks stored, and it hits them.
     */
    @ParameterizedTest
    @CsvSource({"SHARED_BUFFER", "GROWING"})
    void aMissStoresItsBlocksAfterItsFirstTokenAndTheNextRequestStillHitsThem(KvCacheMode mode) throws Exception {
        String system = words(120, 2);
        List<GenerationRequest> requests =
                List.of(text(system, "First: " + words(4, 3), 5), text(system, "Second: " + words(6, 4), 5));
        List<List<Integer>> expected;
        try (OnnxPhi4Engine cold =
                open(0, mode, Placement.Kind.HOST, r -> (logits, n) -> TokenChooser.argmax(logits))) {
            expected = sequential(cold, requests);
        }
        AtomicReference<OnnxPhi4Engine> engineRef = new AtomicReference<>();
        List<Long> storedAtFirstToken = Collections.synchronizedList(new ArrayList<>());
        try (OnnxPhi4Engine engine = open(64L << 20, mode, Placement.Kind.HOST, r -> (logits, n) -> {
            if (n == 0) { // on the engine thread, where the cache lives
                storedAtFirstToken.add(engineRef.get().prefixCache().storedBlocks());
            }
            return TokenChooser.argmax(logits);
        })) {
            engineRef.set(engine);
            List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
            for (GenerationRequest r : requests) {
                results.add(engine.stream(r, d -> {}).result());
            }
            for (int i = 0; i < requests.size(); i++) {
                assertThat(results.get(i).get(60, TimeUnit.SECONDS).tokenIds())
                        .as("request %d", i)
                        .isEqualTo(expected.get(i));
            }
            PrefixCache cache = engine.prefixCache();
            long firstStored = storedAtFirstToken.get(1);
            assertThat(storedAtFirstToken.get(0))
                    .as("nothing stored before the miss's first token")
                    .isZero();
            assertThat(firstStored)
                    .as("the miss's blocks, stored before the next lookup")
                    .isGreaterThanOrEqualTo(8);
            assertThat(cache.hits()).isEqualTo(1);
            assertThat(cache.reusedTokens()).as("the shared system prompt").isBetween(8L * BLOCK, firstStored * BLOCK);
        }
    }

    @Test
    void theSameImageAskedSeveralQuestionsSharesItsBlocksAnotherImageDoesNot() {
        String system = words(40, 2);
        Media red = MultimodalPipelineTest.png(120, 80, Color.RED);
        Media blue = MultimodalPipelineTest.png(120, 80, Color.BLUE); // same size: the same placeholder ids
        List<GenerationRequest> requests = List.of(
                image(system, red, "What is the total?"),
                image(system, red, "Who is the customer?"),
                image(system, blue, "Who is the customer?"),
                image(system, red, "Which route?"));
        List<List<Integer>> expected;
        try (OnnxPhi4Engine cold = withoutCache()) {
            expected = sequential(cold, requests);
        }
        int[] ids;
        try (Phi4Graphs graphs = KitModels.open(SPEC)) {
            ids = new PromptPreparer(
                            Phi4TextCodec.load(ModelDirectory.open(KitModels.dir(SPEC))),
                            graphs,
                            EngineOptions.defaults())
                    .prepare(requests.get(2))
                    .expanded
                    .ids();
        }
        int firstImage = indexOf(ids, Phi4TextCodec.IMAGE_PLACEHOLDER_ID, true);
        int lastImage = indexOf(ids, Phi4TextCodec.IMAGE_PLACEHOLDER_ID, false);
        assertThat(firstImage).isGreaterThan(BLOCK);
        assertThat(ids.length).as("short factors: any block may be reused").isLessThanOrEqualTo(1024);
        try (OnnxPhi4Engine engine = open(64L << 20, KvCacheMode.AUTO, Placement.Kind.HOST)) {
            List<List<Integer>> got = new ArrayList<>();
            List<Long> reused = reusedPerRequest(engine, requests, got);
            assertThat(got).isEqualTo(expected);
            assertThat(reused.get(0)).isZero();
            assertThat(reused.get(1)).as("system prompt and image").isGreaterThan(lastImage - BLOCK);
            assertThat(reused.get(2))
                    .as("other pixels behind the same placeholders: only the blocks before the image")
                    .isEqualTo((long) firstImage / BLOCK * BLOCK);
            assertThat(reused.get(3)).isGreaterThan(lastImage - BLOCK);
        }
    }

    static int indexOf(int[] ids, int id, boolean first) {
        int found = -1;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                found = i;
                if (first) {
                    break;
                }
            }
        }
        return found;
    }

    @Test
    void adaptersNeverShareAPrefixEvenWithTheSameTokens() {
        String system = words(60, 3);
        Media image = MultimodalPipelineTest.png(60, 50, Color.GREEN);
        Media sound = MultimodalPipelineTest.wav(0.4, 300);
        List<GenerationRequest> requests = List.of(
                text(system, "Describe it.", 6),
                image(system, image, "Describe it."),
                audio(system, sound, "Describe it."),
                text(system, "Summarise it.", 6),
                image(system, image, "Summarise it."),
                audio(system, sound, "Summarise it."));
        List<List<Integer>> expected;
        try (OnnxPhi4Engine cold = withoutCache()) {
            expected = sequential(cold, requests);
        }
        try (OnnxPhi4Engine engine = open(64L << 20, KvCacheMode.AUTO, Placement.Kind.HOST)) {
            List<List<Integer>> got = new ArrayList<>();
            List<Long> reused = reusedPerRequest(engine, requests, got);
            assertThat(got).isEqualTo(expected);
            assertThat(reused.subList(0, 3))
                    .as("no adapter, vision, speech: nothing shared")
                    .containsOnly(0L);
            assertThat(reused.subList(3, 6))
                    .as("each reuses its own adapter's system prompt")
                    .allMatch(n -> n >= 48);
        }
    }

    @Test
    void aTinyBudgetEvictsAndStillGivesTheSameTokensWithSlotsReused() throws Exception {
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            requests.add(text(words(50, i % 2), "Item " + i, 1 + i % 5));
        }
        List<List<Integer>> expected;
        try (OnnxPhi4Engine cold = withoutCache()) {
            expected = sequential(cold, requests);
        }
        long blockBytes = 2L * 2 * 2 * BLOCK * 32 * Float.BYTES; // kit: 2 layers, 2 kv heads, head size 32, fp32
        try (OnnxPhi4Engine engine = open(5 * blockBytes, KvCacheMode.AUTO, Placement.Kind.HOST)) {
            assertThat(engine.prefixCache().maxBlocks()).isEqualTo(5);
            List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
            for (GenerationRequest r : requests) {
                results.add(engine.stream(r, d -> {}).result());
            }
            for (int i = 0; i < requests.size(); i++) {
                assertThat(results.get(i).get(60, TimeUnit.SECONDS).tokenIds())
                        .as("request %d", i)
                        .isEqualTo(expected.get(i));
            }
            assertThat(engine.prefixCache().evictions()).isPositive();
            assertThat(engine.prefixCache().hits()).isPositive();
            assertThat(engine.prefixCache().blocks()).isLessThanOrEqualTo(5);
        }
    }

    @Test
    void longPromptsAndPromptsThatCrossTheLongRopeSwitchGiveTheSameTokens() {
        String longSystem = words(1100, 4); // > 1024 tokens: long factors from the start
        String system = words(700, 5);
        List<GenerationRequest> requests = List.of(
                text(longSystem, "First?", 6),
                text(longSystem, "Second?", 6),
                text(system, "Third?", 250), // crosses 1024 while generating: the whole sequence re-runs
                text(system, "Fourth?", 250),
                text(system, "Fifth?", 4));
        List<List<Integer>> expected;
        try (OnnxPhi4Engine cold = withoutCache()) {
            expected = sequential(cold, requests);
        }
        try (OnnxPhi4Engine engine = open(64L << 20, KvCacheMode.AUTO, Placement.Kind.HOST)) {
            List<List<Integer>> got = new ArrayList<>();
            List<Long> reused = reusedPerRequest(engine, requests, got);
            assertThat(got).isEqualTo(expected);
            assertThat(reused.get(1)).as("past the first run of a long prompt").isGreaterThan(1024);
            assertThat(reused.get(3)).isPositive();
            assertThat(reused.get(4)).isPositive();
            assertThat(engine.batcher().crossings()).isPositive();
        }
    }
}
