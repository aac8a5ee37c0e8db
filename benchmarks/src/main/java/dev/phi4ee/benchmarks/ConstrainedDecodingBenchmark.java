package dev.phi4ee.benchmarks;

import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.ResponseFormat;
import dev.phi4ee.core.api.TensorFloatType;
import dev.phi4ee.core.generate.constrain.ConstrainedDecoder;
import dev.phi4ee.core.generate.constrain.ConstraintTables;
import dev.phi4ee.core.generate.constrain.DecodingConstraint;
import dev.phi4ee.core.generate.constrain.RequestConstraint;
import dev.phi4ee.core.generate.constrain.SchemaCompiler;
import dev.phi4ee.core.generate.constrain.TokenVocabulary;
import dev.phi4ee.core.generate.sampling.LogitsRow;
import dev.phi4ee.core.generate.sampling.TokenHistory;
import dev.phi4ee.core.generate.sampling.TokenSampler;
import dev.phi4ee.core.testkit.Phi4TokenizerFiles;
import dev.phi4ee.core.text.Phi4Tokenizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Structured output on the real vocabulary (the kit's o200k tokenizer, 200,064 rows): {@code compile} is a schema's
 * compile time (uncached); {@code freeStep} and {@code constrainedStep} choose one token from a random logits row
 * (sampling, temperature 1) without and with the schema — the CPU work a decode step adds around the decoder run, so
 * their difference is the mask's cost per token (run with {@code -bm sample} for p99). {@code coldStep} is the same
 * with fresh tables at the start of every iteration, so the masks are computed as states are first met (a new
 * schema's first documents) and the samples' tail shows a first-visit mask.
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ConstrainedDecodingBenchmark {
    static final String INVOICE = """
            {"type":"object","properties":{
              "invoiceNumber":{"type":"string","pattern":"^INV-[0-9]{4,8}$"},
              "date":{"type":"string","format":"date"},
              "vendor":{"type":"string","maxLength":40},
              "total":{"type":"number","minimum":0},
              "currency":{"enum":["EUR","USD","GBP"]},
              "lines":{"type":"array","maxItems":5,"items":{"type":"object","properties":{
                "description":{"type":"string","maxLength":30},"amount":{"type":"number"}},
                "required":["description","amount"],"additionalProperties":false}}},
             "required":["invoiceNumber","date","vendor","total","currency","lines"],"additionalProperties":false}""";
    static final String TREE = """
            {"$defs":{"node":{"type":"object","properties":{"name":{"type":"string","maxLength":12},
              "children":{"type":"array","maxItems":3,"items":{"$ref":"#/$defs/node"}}},"required":["name"]}},
             "$ref":"#/$defs/node"}""";
    static final String FREE_TEXT = """
            {"type":"object","properties":{"summary":{"type":"string"},"sentiment":{"enum":["positive","neutral","negative"]}},
             "required":["summary","sentiment"],"additionalProperties":false}""";

    private static final int VOCAB = 200_064;
    private static final int EOS = Phi4TokenizerFiles.END_ID;
    private static TokenVocabulary vocabulary;
    private static Phi4Tokenizer tokenizer;

    @Param({"invoice", "tree", "freeText"})
    public String schema;

    private String schemaText;
    private ConstraintTables tables;
    private RequestConstraint constraint;
    private ConstrainedDecoder decoder;
    private TokenSampler sampler;
    private TokenHistory history;
    private LogitsRow[] rows;
    private int step;
    private Random random;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        synchronized (ConstrainedDecodingBenchmark.class) {
            if (vocabulary == null) {
                Path dir = Files.createTempDirectory("phi4-bench-tok");
                Phi4TokenizerFiles.write(dir);
                tokenizer = Phi4Tokenizer.load(dir.resolve("tokenizer.json"));
                vocabulary = TokenVocabulary.of(VOCAB, tokenizer::plainTokenBytes);
            }
        }
        schemaText = switch (schema) {
            case "invoice" -> INVOICE;
            case "tree" -> TREE;
            default -> FREE_TEXT;
        };
        random = new Random(3);
        rows = new LogitsRow[16];
        for (int r = 0; r < rows.length; r++) {
            ByteBuffer b = ByteBuffer.allocateDirect(VOCAB * 4).order(ByteOrder.nativeOrder());
            for (int i = 0; i < VOCAB; i++) {
                b.putFloat(i * 4, (float) (random.nextGaussian() * 3));
            }
            rows[r] = LogitsRow.of(b, TensorFloatType.FLOAT32, 0, VOCAB);
        }
        freshTables();
        restart();
    }

    private void freshTables() {
        tables = new ConstraintTables(vocabulary, s -> tokenizer.addedTokenId(s).orElse(-1), new int[] {EOS});
        GenerationRequest request = GenerationRequest.builder()
                .user("x")
                .options(GenerationOptions.builder()
                        .responseFormat(ResponseFormat.jsonSchema(schemaText))
                        .build())
                .build();
        constraint = tables.bind(DecodingConstraint.of(request));
    }

    private void restart() {
        decoder = constraint.newDecoder();
        sampler = TokenSampler.create(
                GenerationOptions.builder()
                        .doSample(true)
                        .seed(random.nextLong())
                        .build(),
                VOCAB,
                EOS);
        history = new TokenHistory(VOCAB, new int[] {1});
        step = 0;
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public Object compile() {
        return SchemaCompiler.compileUncached(schemaText);
    }

    @Benchmark
    @BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
    public int freeStep() {
        return sampler.next(rows[step++ & 15], history);
    }

    @Benchmark
    @BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
    public int constrainedStep() {
        return constrained();
    }

    /** Cold tables at every iteration, for {@link #coldStep}. */
    @State(Scope.Thread)
    public static class Cold {
        @Setup(Level.Iteration)
        public void fresh(ConstrainedDecodingBenchmark b) {
            b.freshTables();
            b.restart();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public int coldStep(Cold cold) {
        return constrained();
    }

    private int constrained() {
        if (decoder.complete() || step >= 400) {
            restart();
        }
        LogitsRow masked = decoder.mask(rows[step++ & 15]);
        int token = sampler.next(masked, history);
        if (token == EOS) {
            restart();
        } else {
            decoder.accept(token);
        }
        return token;
    }
}
