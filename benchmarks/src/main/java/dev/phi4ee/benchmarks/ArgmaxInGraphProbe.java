package dev.phi4ee.benchmarks;

import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;
import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_LOGGING_LEVEL_ERROR;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtArenaAllocator;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtMemTypeDefault;

import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.TensorFloatType;
import dev.phi4ee.core.generate.sampling.LogitsRow;
import dev.phi4ee.core.generate.sampling.TokenHistory;
import dev.phi4ee.core.generate.sampling.TokenSampler;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto.DataType;
import dev.phi4ee.core.testkit.OnnxGraphBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.onnxruntime.Env;
import org.bytedeco.onnxruntime.IoBinding;
import org.bytedeco.onnxruntime.MemoryInfo;
import org.bytedeco.onnxruntime.OrtApi;
import org.bytedeco.onnxruntime.OrtStatus;
import org.bytedeco.onnxruntime.RunOptions;
import org.bytedeco.onnxruntime.Session;
import org.bytedeco.onnxruntime.SessionOptions;
import org.bytedeco.onnxruntime.Value;

/**
 * What an {@code ArgMax} appended to the decoder graph would cost on the CPU for greedy rows (issue 15), against the
 * engine's Java argmax over the same {@code [B, 1, 200064]} float32 logits: one ONNX Runtime run of a graph holding
 * only that node (one intra-op thread, logits already in host memory, as the decoder leaves them), and the greedy
 * {@link TokenSampler} over the B rows. Paired blocks; prints medians per row.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *     dev.phi4ee.benchmarks.ArgmaxInGraphProbe</pre>
 */
public final class ArgmaxInGraphProbe {
    private static final int VOCAB = 200_064;

    private ArgmaxInGraphProbe() {}

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 15);
        Path dir = Files.createTempDirectory("phi4-argmax-");
        Path model = dir.resolve("argmax.onnx");
        OnnxGraphBuilder g = new OnnxGraphBuilder("argmax");
        g.input("logits", DataType.FLOAT, "batch", 1, VOCAB);
        g.output("token", DataType.INT64, "batch", 1);
        g.node("ArgMax")
                .in("logits")
                .attr("axis", 2L)
                .attr("keepdims", 0L)
                .attr("select_last_index", 0L)
                .out("token");
        g.write(model, "phi4ee-benchmarks", Long.MAX_VALUE);
        OrtApi api = org.bytedeco.onnxruntime.global.onnxruntime.GetApi();
        MemoryInfo cpu = MemoryInfo.CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
        try (Env env = new Env(ORT_LOGGING_LEVEL_ERROR, "argmax-probe");
                SessionOptions options = new SessionOptions()) {
            options.SetIntraOpNumThreads(1);
            options.SetInterOpNumThreads(1);
            options.SetGraphOptimizationLevel(99);
            try (Session session = new Session(env, new BytePointer(model.toString()), options);
                    RunOptions run = new RunOptions()) {
                System.out.printf("%3s %18s %18s %9s%n", "B", "ORT ArgMax us/row", "Java argmax us/row", "ORT/Java");
                for (int batch : new int[] {16, 1, 16}) {
                    measure(api, cpu, session, run, batch, rounds);
                }
            }
        } finally {
            Files.deleteIfExists(model);
            Files.deleteIfExists(dir);
        }
    }

    private static void measure(OrtApi api, MemoryInfo cpu, Session session, RunOptions run, int batch, int rounds) {
        try (FloatPointer logits = new FloatPointer((long) batch * VOCAB);
                LongPointer tokens = new LongPointer(batch);
                IoBinding binding = new IoBinding(session)) {
            Random random = new Random(3);
            for (long i = 0; i < (long) batch * VOCAB; i++) {
                logits.put(i, (float) random.nextGaussian() * 3);
            }
            ByteBuffer bytes = logits.asByteBuffer().order(ByteOrder.nativeOrder());
            try (Value in = Value.CreateTensor(
                            cpu.asOrtMemoryInfo(),
                            logits,
                            4L * batch * VOCAB,
                            new long[] {batch, 1, VOCAB},
                            3,
                            ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT);
                    Value out = Value.CreateTensor(
                            cpu.asOrtMemoryInfo(),
                            tokens,
                            8L * batch,
                            new long[] {batch, 1},
                            2,
                            ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64)) {
                check(api, api.BindInput(binding.asOrtIoBinding(), "logits", in.asOrtValue()));
                check(api, api.BindOutput(binding.asOrtIoBinding(), "token", out.asOrtValue()));
                TokenSampler sampler = TokenSampler.create(GenerationOptions.defaults(), VOCAB, 200_020, 199_999);
                TokenHistory history = new TokenHistory(VOCAB, new int[0]);
                int block = 20;
                double[] ort = new double[rounds];
                double[] java = new double[rounds];
                double[] ratio = new double[rounds];
                for (int r = -10; r < rounds; r++) { // ten warm-up rounds
                    long t0 = System.nanoTime();
                    for (int i = 0; i < block; i++) {
                        check(
                                api,
                                api.RunWithBinding(
                                        session.asOrtSession(), run.asOrtRunOptions(), binding.asOrtIoBinding()));
                    }
                    long t1 = System.nanoTime();
                    for (int i = 0; i < block; i++) {
                        for (int b = 0; b < batch; b++) {
                            int t = sampler.next(
                                    LogitsRow.of(bytes, TensorFloatType.FLOAT32, b * VOCAB, VOCAB), history);
                            if (i == 0 && r == 0 && t != tokens.get(b)) {
                                throw new IllegalStateException("row " + b + ": Java " + t + ", ORT " + tokens.get(b));
                            }
                        }
                    }
                    long t2 = System.nanoTime();
                    if (r >= 0) {
                        ort[r] = (t1 - t0) / 1e3 / block / batch;
                        java[r] = (t2 - t1) / 1e3 / block / batch;
                        ratio[r] = ort[r] / java[r];
                    }
                }
                System.out.printf(
                        "%3d %18.1f %18.1f %9.2f%n",
                        batch,
                        BatchPairedProbe.median(ort),
                        BatchPairedProbe.median(java),
                        BatchPairedProbe.median(ratio));
            }
        }
    }

    private static void check(OrtApi api, OrtStatus s) {
        if (s != null && !s.isNull()) {
            String m = api.GetErrorMessage().call(s).getString();
            api.ReleaseStatus(s);
            throw new IllegalStateException(m);
        }
    }
}
