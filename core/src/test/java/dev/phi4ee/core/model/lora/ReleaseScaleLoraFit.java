package dev.phi4ee.core.model.lora;

import dev.phi4ee.core.model.onnx.Onnx.AttributeProto;
import dev.phi4ee.core.model.onnx.Onnx.GraphProto;
import dev.phi4ee.core.model.onnx.Onnx.ModelProto;
import dev.phi4ee.core.model.onnx.Onnx.NodeProto;
import dev.phi4ee.core.model.onnx.Onnx.StringStringEntryProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorShapeProto;
import dev.phi4ee.core.model.onnx.Onnx.TypeProto;
import dev.phi4ee.core.model.onnx.Onnx.ValueInfoProto;
import dev.phi4ee.core.model.onnx.OnnxAdapterFormat;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Not a test: measures {@link LoraRankFit#plan} on a release-shaped int4 LoRA layout (reference §5.1: hidden 3072,
 * intermediate 8192, k/v 1024, block 32, graph and vision rank 256, speech 320; zero defaults in external data) with
 * {@code args[0]} layers (32 = the release). Run: {@code java -cp <core test classpath>
 * dev.phi4ee.core.model.lora.ReleaseScaleLoraFit 32}. Writes ~0.8 GB into a temp directory and deletes it.
 */
public final class ReleaseScaleLoraFit {
    static final int HIDDEN = 3072;
    static final int INTERMEDIATE = 8192;
    static final String[] TARGETS = {
        "attn.q_proj", "attn.k_proj", "attn.v_proj", "attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"
    };
    static final int UINT8 = 2;
    static final int FLOAT16 = 10;

    private ReleaseScaleLoraFit() {}

    static int in(String t) {
        return t.equals("mlp.down_proj") ? INTERMEDIATE : HIDDEN;
    }

    static int out(String t) {
        return switch (t) {
            case "attn.k_proj", "attn.v_proj" -> 1024;
            case "mlp.gate_proj", "mlp.up_proj" -> INTERMEDIATE;
            default -> HIDDEN;
        };
    }

    static long blocks(long k) {
        return (k + 31) / 32;
    }

    public static void main(String[] args) throws IOException {
        int layers = Integer.parseInt(args[0]);
        Path dir = Files.createTempDirectory("lora-release-scale");
        try {
            run(dir, layers);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    private static void run(Path dir, int layers) throws IOException {
        GraphProto.Builder g = GraphProto.newBuilder().setName("text");
        long external = 0;
        try (OutputStream data = new BufferedOutputStream(Files.newOutputStream(dir.resolve("text.onnx.data")))) {
            for (int l = 0; l < layers; l++) {
                for (String t : TARGETS) {
                    String p = "model.layers." + l + "." + t;
                    external = zeroDefault(
                            g, data, external, p + ".lora_A.MatMul.weight_Q4", UINT8, 256, blocks(in(t)), 16);
                    external = zeroDefault(
                            g, data, external, p + ".lora_A.MatMul.weight_scales", FLOAT16, 256 * blocks(in(t)));
                    external = zeroDefault(
                            g, data, external, p + ".lora_B.MatMul.weight_Q4", UINT8, out(t), blocks(256), 16);
                    external = zeroDefault(
                            g, data, external, p + ".lora_B.MatMul.weight_scales", FLOAT16, out(t) * blocks(256));
                    g.addNode(matMulNBits(p + "/A", "x" + p, p + ".lora_A.MatMul.weight", "xa" + p, in(t), 256));
                    g.addNode(matMulNBits(p + "/B", "xa" + p, p + ".lora_B.MatMul.weight", "y" + p, 256, out(t)));
                }
            }
        }
        Path graph = Files.write(
                dir.resolve("text.onnx"),
                ModelProto.newBuilder().setIrVersion(8).setGraph(g).build().toByteArray());
        Path vision = Files.write(dir.resolve("vision.onnx_adapter"), adapter(layers, 256));
        Path speech = Files.write(dir.resolve("speech.onnx_adapter"), adapter(layers, 320));
        System.out.printf(
                "%d layers: zero defaults %.0f MB (external), vision adapter %.0f MB, speech adapter %.0f MB%n",
                layers, external / 1e6, Files.size(vision) / 1e6, Files.size(speech) / 1e6);
        for (int rep = 0; rep < 3; rep++) {
            long t0 = System.nanoTime();
            LoraRankPlan plan = LoraRankFit.plan(graph, List.of(vision, speech));
            long t1 = System.nanoTime();
            byte[] padded = plan.adapter(vision).orElseThrow().paddedBytes();
            long t2 = System.nanoTime();
            System.out.printf(
                    "plan (read both adapters, widen 256 -> %d): %.2f s, widened model %.0f MB;"
                            + " pad vision adapter: %.2f s, %.0f MB%n",
                    plan.decoder().rank(),
                    (t1 - t0) / 1e9,
                    plan.decoder().patchedModel().length / 1e6,
                    (t2 - t1) / 1e9,
                    padded.length / 1e6);
        }
    }

    private static long zeroDefault(
            GraphProto.Builder g, OutputStream data, long offset, String name, int type, long... dims)
            throws IOException {
        long bytes = type == FLOAT16 ? 2 : 1;
        for (long d : dims) {
            bytes *= d;
        }
        data.write(new byte[(int) bytes]);
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName(name)
                .setDataType(type)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", "text.onnx.data"))
                .addExternalData(entry("offset", Long.toString(offset)))
                .addExternalData(entry("length", Long.toString(bytes)));
        for (int i = 0; i < dims.length; i++) {
            t.addDims(dims[i]);
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(name + "_" + i));
        }
        g.addInitializer(t);
        g.addInput(ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(
                                TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))));
        return offset + bytes;
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static NodeProto matMulNBits(String name, String in, String weight, String out, long k, long n) {
        return NodeProto.newBuilder()
                .setName(name)
                .setOpType("MatMulNBits")
                .setDomain("com.microsoft")
                .addInput(in)
                .addInput(weight + "_Q4")
                .addInput(weight + "_scales")
                .addOutput(out)
                .addAttribute(intAttribute("K", k))
                .addAttribute(intAttribute("N", n))
                .addAttribute(intAttribute("block_size", 32))
                .build();
    }

    private static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(value)
                .build();
    }

    private static byte[] adapter(int layers, int rank) {
        List<OnnxAdapterFormat.Parameter> parameters = new ArrayList<>();
        Random random = new Random(rank);
        for (int l = 0; l < layers; l++) {
            for (String t : TARGETS) {
                String p = "model.layers." + l + "." + t;
                parameters.add(random(random, p + ".lora_A.MatMul.weight_Q4", UINT8, rank, blocks(in(t)), 16));
                parameters.add(random(random, p + ".lora_A.MatMul.weight_scales", FLOAT16, rank * blocks(in(t))));
                parameters.add(random(random, p + ".lora_B.MatMul.weight_Q4", UINT8, out(t), blocks(rank), 16));
                parameters.add(random(random, p + ".lora_B.MatMul.weight_scales", FLOAT16, out(t) * blocks(rank)));
            }
        }
        return OnnxAdapterFormat.encode(1, 1, parameters);
    }

    private static OnnxAdapterFormat.Parameter random(Random random, String name, int type, long... dims) {
        long bytes = type == FLOAT16 ? 2 : 1;
        for (long d : dims) {
            bytes *= d;
        }
        byte[] data = new byte[(int) bytes];
        random.nextBytes(data);
        return new OnnxAdapterFormat.Parameter(name, dims, type, data);
    }
}
