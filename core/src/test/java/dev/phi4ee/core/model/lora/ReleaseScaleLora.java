package dev.phi4ee.core.model.lora;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.phi4ee.core.model.onnx.Onnx.AttributeProto;
import dev.phi4ee.core.model.onnx.Onnx.GraphProto;
import dev.phi4ee.core.model.onnx.Onnx.NodeProto;
import dev.phi4ee.core.model.onnx.Onnx.OperatorSetIdProto;
import dev.phi4ee.core.model.onnx.Onnx.StringStringEntryProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorShapeProto;
import dev.phi4ee.core.model.onnx.Onnx.TypeProto;
import dev.phi4ee.core.model.onnx.Onnx.ValueInfoProto;
import dev.phi4ee.core.model.onnx.OnnxAdapterFormat;
import dev.phi4ee.core.testkit.OnnxGraphBuilder.TensorStorage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The release's LoRA layout at its real element counts (reference §5.1): hidden 3072, intermediate 8192, k/v 1024,
 * int4 block 32; a text graph whose LoRA inputs have rank 256 and zero defaults stored as the builder stores them,
 * a rank-256 vision and a rank-320 speech adapter in the int4 adapter layout ({@code _Q4} uint8 + {@code _scales}
 * fp16). The graph holds only what rank widening touches: per target x → MatMulNBits(lora_A) → MatMulNBits(lora_B)
 * → output, with the builder's input shapes (symbolic rank dims, HF {@code builder.py} {@code build_onnx_adapters})
 * and value-info annotations of the intermediate tensors.
 *
 * <p>Everything is streamed to disk (the 32-layer graph is 236 MB of inline zeros, the adapters 250 and 313 MB):
 * writing never holds more than one tensor.
 */
final class ReleaseScaleLora {
    static final int HIDDEN = 3072;
    static final int INTERMEDIATE = 8192;
    static final int BLOCK = 32;
    static final int GRAPH_RANK = 256;
    static final int VISION_RANK = 256;
    static final int SPEECH_RANK = 320;
    static final String[] TARGETS = {
        "attn.q_proj", "attn.k_proj", "attn.v_proj", "attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"
    };
    static final int UINT8 = TensorProto.DataType.UINT8_VALUE;
    static final int FLOAT16 = TensorProto.DataType.FLOAT16_VALUE;
    static final String GRAPH_FILE = "phi-4-mm-text.onnx";
    static final String VISION_FILE = "phi-4-mm-vision.onnx_adapter";
    static final String SPEECH_FILE = "phi-4-mm-speech.onnx_adapter";

    /** The written files. */
    record Written(Path graph, Path vision, Path speech) {}

    /** One LoRA weight of a target: name, data type, dims at a rank. */
    record Weight(String name, int dataType, long[] dims) {
        long bytes() {
            long n = dataType == FLOAT16 ? 2 : 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }

        long elements() {
            return bytes() / (dataType == FLOAT16 ? 2 : 1);
        }
    }

    private ReleaseScaleLora() {}

    static int in(String target) {
        return target.equals("mlp.down_proj") ? INTERMEDIATE : HIDDEN;
    }

    static int out(String target) {
        return switch (target) {
            case "attn.k_proj", "attn.v_proj" -> 1024;
            case "mlp.gate_proj", "mlp.up_proj" -> INTERMEDIATE;
            default -> HIDDEN;
        };
    }

    static long blocks(long k) {
        return (k + BLOCK - 1) / BLOCK;
    }

    static String prefix(int layer, String target) {
        return "model.layers." + layer + "." + target;
    }

    /** The four int4 LoRA weights of a target at {@code rank}: A_Q4, A_scales, B_Q4, B_scales. */
    static List<Weight> weights(int layer, String target, int rank) {
        String p = prefix(layer, target);
        return List.of(
                new Weight(p + ".lora_A.MatMul.weight_Q4", UINT8, new long[] {rank, blocks(in(target)), BLOCK / 2}),
                new Weight(p + ".lora_A.MatMul.weight_scales", FLOAT16, new long[] {rank * blocks(in(target))}),
                new Weight(p + ".lora_B.MatMul.weight_Q4", UINT8, new long[] {out(target), blocks(rank), BLOCK / 2}),
                new Weight(p + ".lora_B.MatMul.weight_scales", FLOAT16, new long[] {out(target) * blocks(rank)}));
    }

    static List<Weight> allWeights(int layers, int rank) {
        List<Weight> all = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (String t : TARGETS) {
                all.addAll(weights(l, t, rank));
            }
        }
        return all;
    }

    /** Writes the graph (zeros as {@code zeros}) and both adapters into {@code dir}. */
    static Written write(Path dir, int layers, TensorStorage zeros) throws IOException {
        Path graph = writeGraph(dir.resolve(GRAPH_FILE), layers, zeros);
        Path vision = dir.resolve(VISION_FILE);
        OnnxAdapterFormat.write(vision, 1, 1, adapter(layers, VISION_RANK, 1));
        Path speech = dir.resolve(SPEECH_FILE);
        OnnxAdapterFormat.write(speech, 1, 1, adapter(layers, SPEECH_RANK, 2));
        return new Written(graph, vision, speech);
    }

    /** The non-initializer part of the graph: inputs, LoRA nodes, outputs. */
    static GraphProto skeleton(int layers) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("phi4mm_text_lora");
        g.addInput(info("x", FLOAT16, 1, HIDDEN));
        g.addInput(info("x_mlp", FLOAT16, 1, INTERMEDIATE));
        for (int l = 0; l < layers; l++) {
            for (String t : TARGETS) {
                String p = prefix(l, t);
                for (Weight w : weights(l, t, GRAPH_RANK)) {
                    g.addInput(loraInput(w));
                }
                String x = t.equals("mlp.down_proj") ? "x_mlp" : "x";
                g.addNode(matMulNBits(
                        p + "/lora_A/MatMul_Q4", x, p + ".lora_A.MatMul.weight", p + "/xa", in(t), GRAPH_RANK));
                g.addNode(matMulNBits(
                        p + "/lora_B/MatMul_Q4", p + "/xa", p + ".lora_B.MatMul.weight", "y." + p, GRAPH_RANK, out(t)));
                g.addOutput(info("y." + p, FLOAT16, 1, out(t)));
                // shape annotations: the lora_A product carries the rank (dropped on widening), y does not
                g.addValueInfo(info(p + "/xa", FLOAT16, 1, GRAPH_RANK));
                g.addValueInfo(info("y." + p, FLOAT16, 1, out(t)));
            }
        }
        return g.build();
    }

    /**
     * Writes the graph front to back: the skeleton, then every LoRA zero default as one initializer field whose
     * zeros are written in chunks (inline {@code int32_data}: one 0x00 varint per element, as the builder's
     * {@code make_tensor(vals=np.zeros(...))} serializes; or {@code raw_data}; or external data).
     */
    static Path writeGraph(Path file, int layers, TensorStorage zeros) throws IOException {
        GraphProto skeleton = skeleton(layers);
        List<Weight> weights = allWeights(layers, GRAPH_RANK);
        String dataName = file.getFileName() + ".data";
        List<TensorProto> headers = new ArrayList<>();
        List<Long> payloads = new ArrayList<>();
        long graphLength = skeleton.getSerializedSize();
        long offset = 0;
        for (Weight w : weights) {
            TensorProto.Builder h = TensorProto.newBuilder().setName(w.name()).setDataType(w.dataType());
            for (long d : w.dims()) {
                h.addDims(d);
            }
            if (zeros == TensorStorage.EXTERNAL_DATA) {
                h.setDataLocation(TensorProto.DataLocation.EXTERNAL)
                        .addExternalData(entry("location", dataName))
                        .addExternalData(entry("offset", Long.toString(offset)))
                        .addExternalData(entry("length", Long.toString(w.bytes())));
                offset += w.bytes();
            }
            TensorProto header = h.build();
            long payload = header.getSerializedSize() + dataFieldSize(w, zeros);
            headers.add(header);
            payloads.add(payload);
            graphLength +=
                    CodedOutputStream.computeTagSize(5) + CodedOutputStream.computeUInt64SizeNoTag(payload) + payload;
        }
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            CodedOutputStream out = CodedOutputStream.newInstance(os, 1 << 16);
            out.writeInt64(1, 8); // ir_version
            out.writeMessage(
                    8,
                    OperatorSetIdProto.newBuilder().setDomain("").setVersion(17).build());
            out.writeMessage(
                    8,
                    OperatorSetIdProto.newBuilder()
                            .setDomain("com.microsoft")
                            .setVersion(1)
                            .build());
            out.writeTag(7, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt64NoTag(graphLength);
            skeleton.writeTo(out);
            for (int i = 0; i < weights.size(); i++) {
                Weight w = weights.get(i);
                out.writeTag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt64NoTag(payloads.get(i));
                headers.get(i).writeTo(out);
                switch (zeros) {
                    case TYPED_FIELDS -> writeZeros(out, 5, w.elements()); // int32_data: one 0x00 varint each
                    case RAW_DATA -> writeZeros(out, 9, w.bytes());
                    case EXTERNAL_DATA -> {}
                }
            }
            out.flush();
        }
        if (zeros == TensorStorage.EXTERNAL_DATA) {
            try (OutputStream data = new BufferedOutputStream(Files.newOutputStream(file.resolveSibling(dataName)))) {
                byte[] chunk = new byte[1 << 16];
                for (long left = offset; left > 0; left -= chunk.length) {
                    data.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
            }
        }
        return file;
    }

    private static long dataFieldSize(Weight w, TensorStorage zeros) {
        long n =
                switch (zeros) {
                    case TYPED_FIELDS -> w.elements();
                    case RAW_DATA -> w.bytes();
                    case EXTERNAL_DATA -> -1;
                };
        return n < 0 ? 0 : CodedOutputStream.computeTagSize(5) + CodedOutputStream.computeUInt64SizeNoTag(n) + n;
    }

    private static void writeZeros(CodedOutputStream out, int field, long n) throws IOException {
        out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt64NoTag(n);
        byte[] chunk = new byte[(int) Math.min(n, 1 << 16)];
        for (long left = n; left > 0; left -= chunk.length) {
            out.writeRawBytes(chunk, 0, (int) Math.min(chunk.length, left));
        }
    }

    /**
     * An adapter's parameters at {@code rank}, generated one at a time when the writer asks for them: random 4-bit
     * codes and small positive fp16 scales (finite, so outputs can be checked).
     */
    static List<OnnxAdapterFormat.Parameter> adapter(int layers, int rank, long seed) {
        List<Weight> weights = allWeights(layers, rank);
        return new AbstractList<>() {
            @Override
            public OnnxAdapterFormat.Parameter get(int i) {
                Weight w = weights.get(i);
                Random random = new Random(seed * 1_000_003L + i);
                byte[] data = new byte[Math.toIntExact(w.bytes())];
                if (w.dataType() == UINT8) {
                    random.nextBytes(data);
                } else {
                    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                    while (b.hasRemaining()) {
                        b.putShort(Float.floatToFloat16(0.001f + 0.01f * random.nextFloat()));
                    }
                }
                return new OnnxAdapterFormat.Parameter(w.name(), w.dims(), w.dataType(), data);
            }

            @Override
            public int size() {
                return weights.size();
            }
        };
    }

    /**
     * The builder's graph input for a LoRA weight: the rank-dependent dim symbolic (HF {@code builder.py}:
     * {@code out_features} for lora_A_Q4 dim 0, a block count for lora_B_Q4 dim 1, a product for the scales).
     */
    private static ValueInfoProto loraInput(Weight w) {
        long[] d = w.dims();
        Object[] dims = new Object[d.length];
        for (int i = 0; i < d.length; i++) {
            dims[i] = d[i];
        }
        if (w.name().endsWith("lora_A.MatMul.weight_Q4")) {
            dims[0] = "out_features";
        } else if (w.name().endsWith("lora_B.MatMul.weight_Q4")) {
            dims[1] = "(in_features + block_size - 1) // block_size";
        } else {
            dims[0] = "in_features * out_features / block_size";
        }
        return info(w.name(), w.dataType(), dims);
    }

    private static ValueInfoProto info(String name, int type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String s) {
                dim.setDimParam(s);
            } else {
                dim.setDimValue(((Number) d).longValue());
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(
                                TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape)))
                .build();
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
                .addAttribute(intAttribute("bits", 4))
                .addAttribute(intAttribute("block_size", BLOCK))
                .build();
    }

    private static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(value)
                .build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
