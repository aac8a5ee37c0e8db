package dev.phi4ee.core.model.lora;

import dev.phi4ee.core.model.onnx.Onnx.AttributeProto;
import dev.phi4ee.core.model.onnx.Onnx.NodeProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto;
import dev.phi4ee.core.model.onnx.OnnxAdapterFormat;
import dev.phi4ee.core.model.onnx.OnnxGraphIndex;
import dev.phi4ee.core.ort.Binding;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.OrtSession;
import dev.phi4ee.core.ort.SessionSettings;
import dev.phi4ee.core.ort.Tensor;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Opens the release-scale LoRA layout written by {@link ReleaseScaleLora} the way the engine does, in its own JVM so
 * that {@code -Xmx} bounds it (run by {@link ReleaseScaleLoraWideningTest}; by hand: {@code java -Xmx768m -cp <core
 * test classpath> dev.phi4ee.core.model.lora.ReleaseScaleLoraProbe <dir> [layers]}, which first writes the files
 * into {@code dir} when they are not there):
 *
 * <ol>
 *   <li>{@link LoraRankFit#plan} (index the graph and both adapters; widen 256 → 320),
 *   <li>write the widened graph into native memory and create an ONNX Runtime session from it, checking on the way
 *       every LoRA initializer (dims, raw bytes: zeros, 0x88 padding) and MatMulNBits {@code N}/{@code K} exactly,
 *   <li>load both adapters into tensors as {@code LoraAdapters} does (vision zero-padded),
 *   <li>run: no adapter gives exactly 0 (the zero defaults); the speech adapter, and the padded vision adapter,
 *       give x·Aᵀ·Bᵀ computed here from the adapter files (the vision one unpadded).
 * </ol>
 *
 * Prints {@code probe: key=value} lines: timings, peak heap (sum of the heap pools' peaks, an upper bound), direct
 * memory, peak RSS, and {@code check=ok}.
 */
public final class ReleaseScaleLoraProbe {
    private static final int[] CHECKED_LAYERS = {0, -1};
    private static final String[] CHECKED_TARGETS = {"attn.q_proj", "mlp.down_proj"};

    private ReleaseScaleLoraProbe() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int layers = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        Path graph = dir.resolve(ReleaseScaleLora.GRAPH_FILE);
        Path vision = dir.resolve(ReleaseScaleLora.VISION_FILE);
        Path speech = dir.resolve(ReleaseScaleLora.SPEECH_FILE);
        if (!Files.exists(graph)) {
            long w = System.nanoTime();
            ReleaseScaleLora.write(dir, layers, dev.phi4ee.core.testkit.OnnxGraphBuilder.TensorStorage.TYPED_FIELDS);
            print("writeFilesSeconds", seconds(System.nanoTime() - w));
        }
        long[] maxAfterGc = watchHeapAfterGc();

        long t0 = System.nanoTime();
        LoraRankPlan plan = LoraRankFit.plan(graph, List.of(vision, speech));
        long t1 = System.nanoTime();
        LoraRankPlan.FittedGraph fitted = plan.decoder();
        require(fitted.isPatched() && fitted.rank() == ReleaseScaleLora.SPEECH_RANK, "graph widened to 320");
        long widenedSize = fitted.widenedSize();
        long[] phases = new long[2]; // nanos: writing the widened model, checking it
        OrtSession session = OrtSession.open(
                graph,
                widenedSize,
                target -> {
                    int start = target.position();
                    long w = System.nanoTime();
                    fitted.writeWidened(target);
                    long c = System.nanoTime();
                    checkWidened(target.duplicate().position(start).slice(), layers);
                    phases[0] = c - w;
                    phases[1] = System.nanoTime() - c;
                },
                SessionSettings.cpu(2));
        long t2 = System.nanoTime();
        Map<String, Tensor> speechTensors = load(plan.adapter(speech).orElseThrow());
        Map<String, Tensor> visionTensors = load(plan.adapter(vision).orElseThrow());
        long t3 = System.nanoTime();

        try (session) {
            Tensor x = input(ReleaseScaleLora.HIDDEN, 1);
            Tensor xMlp = input(ReleaseScaleLora.INTERMEDIATE, 2);
            Map<String, float[]> none = run(session, x, xMlp, Map.of(), layers);
            none.forEach((name, y) -> {
                for (float v : y) {
                    require(v == 0f, name + ": no adapter must add exactly 0");
                }
            });
            compare(run(session, x, xMlp, speechTensors, layers), speech, x, xMlp, layers);
            compare(run(session, x, xMlp, visionTensors, layers), vision, x, xMlp, layers);
            x.close();
            xMlp.close();
        } finally {
            speechTensors.values().forEach(Tensor::close);
            visionTensors.values().forEach(Tensor::close);
        }
        long t4 = System.nanoTime();

        print("layers", layers);
        print("graphFileBytes", Files.size(graph));
        print("visionAdapterBytes", Files.size(vision));
        print("speechAdapterBytes", Files.size(speech));
        print("widenedModelBytes", widenedSize);
        print("planSeconds", seconds(t1 - t0));
        print("writeWidenedSeconds", seconds(phases[0]));
        print("sessionSeconds", seconds(t2 - t1 - phases[0] - phases[1]));
        print("checkWidenedSeconds", seconds(phases[1]));
        print("loadAdaptersSeconds", seconds(t3 - t2));
        print("openSeconds", seconds(t3 - t0 - phases[1]));
        print("runChecksSeconds", seconds(t4 - t3));
        print("maxHeapBytes", Runtime.getRuntime().maxMemory());
        print("peakHeapBytes", peakHeap());
        print("maxHeapAfterGcBytes", maxAfterGc[0]);
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                print("directBytesAtEnd", pool.getMemoryUsed());
            }
        }
        print("peakRssBytes", peakRss());
        print("check", "ok");
    }

    /**
     * The largest heap use right after a collection, over every collection from now on: what was live, a tighter
     * figure than the pools' peaks (which include garbage a large heap lets accumulate).
     */
    static long[] watchHeapAfterGc() {
        java.util.Set<String> heapPools = new java.util.HashSet<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
        long[] max = new long[1];
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((javax.management.NotificationEmitter) gc)
                    .addNotificationListener(
                            (notification, handback) -> {
                                var info = com.sun.management.GarbageCollectionNotificationInfo.from(
                                        (javax.management.openmbean.CompositeData) notification.getUserData());
                                long used = 0;
                                for (var e :
                                        info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                                    used += heapPools.contains(e.getKey())
                                            ? e.getValue().getUsed()
                                            : 0;
                                }
                                synchronized (max) {
                                    max[0] = Math.max(max[0], used);
                                }
                            },
                            n -> n.getType()
                                    .equals(
                                            com.sun.management.GarbageCollectionNotificationInfo
                                                    .GARBAGE_COLLECTION_NOTIFICATION),
                            null);
        }
        return max;
    }

    /** Sum over the heap pools of their peak use: an upper bound of the heap used at any one time. */
    static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: not reported
        }
        return -1;
    }

    /**
     * Every LoRA initializer has the rank-320 dims and exactly the original zeros plus the padding (int4 lora_A rows
     * and lora_B blocks 0x88, scales 0), every MatMulNBits its new N / K; one initializer parsed at a time.
     */
    static void checkWidened(ByteBuffer model, int layers) {
        OnnxGraphIndex index;
        try {
            index = OnnxGraphIndex.of(model);
        } catch (IOException e) {
            throw new IllegalStateException("widened model does not parse", e);
        }
        Map<String, ReleaseScaleLora.Weight> expected = new HashMap<>();
        for (ReleaseScaleLora.Weight w : ReleaseScaleLora.allWeights(layers, ReleaseScaleLora.SPEECH_RANK)) {
            expected.put(w.name(), w);
        }
        int checked = 0;
        for (OnnxGraphIndex.Initializer init : index.initializers()) {
            ReleaseScaleLora.Weight w = expected.get(init.name());
            require(w != null, "unexpected initializer " + init.name());
            require(java.util.Arrays.equals(init.dims(), w.dims()), init.name() + " dims");
            TensorProto t;
            try {
                t = index.tensor(init);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            require(t.getRawData().size() == w.bytes() && t.getInt32DataCount() == 0, init.name() + " raw_data");
            require(java.util.Arrays.equals(t.getRawData().toByteArray(), widenedZeros(w)), init.name() + " bytes");
            checked++;
        }
        require(checked == expected.size(), "every LoRA default widened");
        int nodes = 0;
        for (OnnxGraphIndex.Node n : index.nodes()) {
            NodeProto node;
            try {
                node = index.node(n);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            String attr = n.name().contains("/lora_A/") ? "N" : "K";
            long v = node.getAttributeList().stream()
                    .filter(a -> a.getName().equals(attr))
                    .mapToLong(AttributeProto::getI)
                    .findFirst()
                    .orElse(-1);
            require(v == ReleaseScaleLora.SPEECH_RANK, n.name() + " " + attr + " = " + v);
            nodes++;
        }
        require(nodes == 2 * 7 * layers, "every LoRA MatMulNBits patched");
    }

    /**
     * The widened default of {@code w} (rank 320): the graph's zeros, plus 0x88 (both nibbles at the zero point 8)
     * in the lora_A rows and lora_B blocks added by the padding; scales stay 0.
     */
    static byte[] widenedZeros(ReleaseScaleLora.Weight w) {
        byte[] want = new byte[Math.toIntExact(w.bytes())];
        long[] d = w.dims();
        if (w.name().endsWith("lora_A.MatMul.weight_Q4")) {
            java.util.Arrays.fill(want, (int) (ReleaseScaleLora.GRAPH_RANK * d[1] * d[2]), want.length, (byte) 0x88);
        } else if (w.name().endsWith("lora_B.MatMul.weight_Q4")) {
            int row = (int) (d[1] * d[2]);
            int kept = (int) (ReleaseScaleLora.blocks(ReleaseScaleLora.GRAPH_RANK) * d[2]);
            for (int r = 0; r < d[0]; r++) {
                java.util.Arrays.fill(want, r * row + kept, (r + 1) * row, (byte) 0x88);
            }
        }
        return want;
    }

    /** The adapter's tensors, as {@code LoraAdapters} loads them: straight from the file into native buffers. */
    static Map<String, Tensor> load(LoraRankPlan.FittedAdapter adapter) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (LoraAdapterContent.PaddedTensor p : adapter.tensors()) {
            Tensor t = Tensor.allocate(ElementType.fromOnnxCode(p.dataType()).orElseThrow(), p.dims());
            p.writeTo(t.buffer());
            tensors.put(p.name(), t);
        }
        return tensors;
    }

    private static Tensor input(int width, long seed) {
        Tensor t = Tensor.allocate(ElementType.FLOAT16, 1, width);
        Random random = new Random(seed);
        for (int i = 0; i < width; i++) {
            t.putFloat(i, random.nextFloat() * 2 - 1);
        }
        return t;
    }

    /** Outputs of the checked targets with {@code adapter} bound (none: the zero defaults). */
    private static Map<String, float[]> run(
            OrtSession session, Tensor x, Tensor xMlp, Map<String, Tensor> adapter, int layers) {
        List<Tensor> outputs = new ArrayList<>();
        Map<String, float[]> result = new LinkedHashMap<>();
        try (Binding binding = session.newBinding()) {
            binding.input("x", x);
            binding.input("x_mlp", xMlp);
            adapter.forEach(binding::input);
            for (int layer : CHECKED_LAYERS) {
                for (String target : CHECKED_TARGETS) {
                    String name = "y." + ReleaseScaleLora.prefix(Math.floorMod(layer, layers), target);
                    Tensor y = Tensor.allocate(ElementType.FLOAT16, 1, ReleaseScaleLora.out(target));
                    outputs.add(y);
                    binding.output(name, y);
                }
            }
            session.run(binding);
            for (int layer : CHECKED_LAYERS) {
                for (String target : CHECKED_TARGETS) {
                    String name = "y." + ReleaseScaleLora.prefix(Math.floorMod(layer, layers), target);
                    Tensor y = outputs.get(result.size());
                    float[] v = new float[(int) y.elementCount()];
                    y.readFloats(0, v, v.length);
                    result.put(name, v);
                }
            }
        } finally {
            outputs.forEach(Tensor::close);
        }
        return result;
    }

    /** ONNX Runtime's outputs against x·Aᵀ·Bᵀ from the adapter file as written (unpadded), fp16 in between. */
    private static void compare(Map<String, float[]> actual, Path adapterFile, Tensor x, Tensor xMlp, int layers)
            throws IOException {
        ByteBuffer file;
        try (FileChannel ch = FileChannel.open(adapterFile, StandardOpenOption.READ)) {
            file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        }
        Map<String, OnnxAdapterFormat.Slice> slices = new HashMap<>();
        for (OnnxAdapterFormat.Slice s : OnnxAdapterFormat.index(file).parameters()) {
            slices.put(s.name(), s);
        }
        for (var e : actual.entrySet()) {
            String prefix = e.getKey().substring(2);
            String target = prefix.substring(prefix.indexOf('.', "model.layers.".length()) + 1);
            Tensor in = target.equals("mlp.down_proj") ? xMlp : x;
            float[] xv = new float[(int) in.elementCount()];
            in.readFloats(0, xv, xv.length);
            OnnxAdapterFormat.Slice aq = slices.get(prefix + ".lora_A.MatMul.weight_Q4");
            int rank = (int) aq.dims()[0];
            float[] xa = matMulNBits(
                    xv,
                    aq.data(file),
                    slices.get(prefix + ".lora_A.MatMul.weight_scales").data(file),
                    rank);
            for (int i = 0; i < xa.length; i++) {
                xa[i] = Float.float16ToFloat(Float.floatToFloat16(xa[i])); // ORT's MatMulNBits output is fp16
            }
            float[] y = matMulNBits(
                    xa,
                    slices.get(prefix + ".lora_B.MatMul.weight_Q4").data(file),
                    slices.get(prefix + ".lora_B.MatMul.weight_scales").data(file),
                    ReleaseScaleLora.out(target));
            float[] got = e.getValue();
            double max = 0;
            double err = 0;
            for (int i = 0; i < y.length; i++) {
                max = Math.max(max, Math.abs(y[i]));
                err = Math.max(err, Math.abs(y[i] - got[i]));
            }
            require(max > 0.01, e.getKey() + ": the adapter changes the output");
            require(
                    err <= 0.01 * max,
                    e.getKey() + " with " + adapterFile.getFileName() + ": error " + err + " of max " + max);
        }
    }

    /** y = x · Wᵀ, W [n, k] from MatMulNBits int4 codes (low nibble first, zero point 8) and fp16 block scales. */
    static float[] matMulNBits(float[] x, ByteBuffer q4, ByteBuffer scales, int n) {
        int k = x.length;
        int blocks = (k + ReleaseScaleLora.BLOCK - 1) / ReleaseScaleLora.BLOCK;
        ByteBuffer s = scales.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] y = new float[n];
        for (int row = 0; row < n; row++) {
            double acc = 0;
            for (int b = 0; b < blocks; b++) {
                float scale = Float.float16ToFloat(s.getShort(2 * (row * blocks + b)));
                for (int j = 0; j < ReleaseScaleLora.BLOCK / 2; j++) {
                    int code = q4.get((row * blocks + b) * (ReleaseScaleLora.BLOCK / 2) + j) & 0xFF;
                    int k0 = b * ReleaseScaleLora.BLOCK + 2 * j;
                    if (k0 < k) {
                        acc += ((code & 0xF) - 8) * scale * (double) x[k0];
                    }
                    if (k0 + 1 < k) {
                        acc += ((code >> 4) - 8) * scale * (double) x[k0 + 1];
                    }
                }
            }
            y[row] = (float) acc;
        }
        return y;
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("check failed: " + what);
        }
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.2f", nanos / 1e9);
    }

    private static void print(String key, Object value) {
        System.out.println("probe: " + key + "=" + value);
    }
}
