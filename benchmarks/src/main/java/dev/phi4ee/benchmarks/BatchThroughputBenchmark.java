package dev.phi4ee.benchmarks;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.KvCacheMode;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.generate.OnnxPhi4Engine;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Aggregate decode throughput of continuous batching on the demo model (fp32, shared-buffer KV cache, maxBatchSize
 * 16, one intra-op thread): each invocation submits {@code concurrent} requests at once (prompt of ~20 ids, exactly
 * {@link #NEW_TOKENS} new tokens each: end-of-sequence masked by minNewTokens) and waits for all. The {@code tokens}
 * counter is generated tokens per second; report tokens/s at 4 and 16 as a ratio to 1, from one run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BatchThroughputBenchmark {
    static final int NEW_TOKENS = 32;

    @Param({"1", "4", "16"})
    public int concurrent;

    private Path dir;
    private Phi4Engine engine;
    private List<GenerationRequest> requests;

    /** Generated tokens, reported by JMH as a rate (tokens/s). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Tokens {
        public long tokens;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("phi4-batch-bench-");
        Phi4TestModels.write(dir, TestModelSpec.builder().maxLength(512).build());
        engine = OnnxPhi4Engine.open(
                dir,
                EngineOptions.builder()
                        .executionProvider("cpu")
                        .intraOpThreads(1)
                        .kvCacheMode(KvCacheMode.SHARED_BUFFER)
                        .maxBatchSize(16)
                        .build());
        requests = new ArrayList<>();
        for (int i = 0; i < concurrent; i++) {
            requests.add(GenerationRequest.builder()
                    .user("request number " + i + " of the batch")
                    .options(GenerationOptions.builder()
                            .maxNewTokens(NEW_TOKENS)
                            .minNewTokens(NEW_TOKENS)
                            .build())
                    .build());
        }
    }

    @Benchmark
    public int batch(Tokens counter) {
        List<CompletableFuture<GenerationResult>> all = new ArrayList<>();
        for (GenerationRequest r : requests) {
            all.add(engine.stream(r, d -> {}).result());
        }
        int n = 0;
        for (CompletableFuture<GenerationResult> f : all) {
            n += f.join().usage().generatedTokens();
        }
        counter.tokens += n;
        return n;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        engine.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
