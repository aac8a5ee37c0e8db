package dev.phi4ee.benchmarks;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.phi4ee.core.testkit.MultilingualCorpus;
import dev.phi4ee.core.testkit.Phi4TokenizerFiles;
import dev.phi4ee.core.text.Phi4Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Tokenizer encode throughput on the test kit's multilingual corpus (≈1.1 MB, one operation = the whole corpus),
 * Phi4Tokenizer against jtokkit's o200k_base in the same run, and the load time of the 200k-entry tokenizer.json.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'TokenizerBenchmark.encode' -f 1 -wi 3 -i 5
 * java -jar benchmarks/target/benchmarks.jar 'TokenizerBenchmark.load' -f 5 -wi 0 -i 1 -bm ss   # cold load
 * </pre>
 */
@State(Scope.Benchmark)
public class TokenizerBenchmark {
    private Path dir;
    private Path tokenizerJson;
    private Phi4Tokenizer phi4;
    private Encoding jtokkit;
    private List<String> corpus;

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("phi4-tokenizer-bench");
        Phi4TokenizerFiles.write(dir);
        tokenizerJson = dir.resolve("tokenizer.json");
        phi4 = Phi4Tokenizer.load(tokenizerJson);
        jtokkit = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
        corpus = MultilingualCorpus.documents();
    }

    @TearDown
    public void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int encodePhi4Tokenizer(Blackhole bh) {
        int tokens = 0;
        for (String doc : corpus) {
            int[] ids = phi4.encodeOrdinary(doc);
            tokens += ids.length;
            bh.consume(ids);
        }
        return tokens;
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int encodeJtokkitO200k(Blackhole bh) {
        int tokens = 0;
        for (String doc : corpus) {
            var ids = jtokkit.encodeOrdinary(doc);
            tokens += ids.size();
            bh.consume(ids);
        }
        return tokens;
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Phi4Tokenizer loadTokenizerJson() {
        return Phi4Tokenizer.load(tokenizerJson);
    }
}
