package dev.phi4ee.core.model.lora;

import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.model.onnx.OnnxAdapterFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated {@code .onnx_adapter} file (reference §5.1): format version 1, LoRA parameters only, unique names,
 * data sizes matching shape × element size, one rank per target.
 *
 * @param file where it was read from (names it in errors)
 * @param adapter the decoded parameters
 * @param layout the LoRA weights and their ranks
 */
public record LoraAdapterContent(Path file, OnnxAdapterFormat.Adapter adapter, LoraLayout layout) {

    /**
     * Reads and validates an adapter file.
     *
     * @param blockSize MatMulNBits block size of the graph (int4 form)
     * @throws ModelFormatException naming the file (and the parameter) when the file is unreadable or malformed
     */
    public static LoraAdapterContent read(Path file, int blockSize) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelFormatException(file.getFileName() + ": cannot read LoRA adapter: " + e, e);
        }
        return parse(file, bytes, blockSize);
    }

    /** As {@link #read(Path, int)} for bytes already in memory; {@code file} only names them. */
    public static LoraAdapterContent parse(Path file, byte[] bytes, int blockSize) {
        String source = file.getFileName().toString();
        OnnxAdapterFormat.Adapter adapter;
        try {
            adapter = OnnxAdapterFormat.decode(bytes);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source + ": not a valid ONNX Runtime adapter file: " + e.getMessage(), e);
        }
        if (adapter.formatVersion() != OnnxAdapterFormat.FORMAT_VERSION) {
            throw new ModelFormatException(source + ": adapter format version " + adapter.formatVersion()
                    + ", ONNX Runtime reads only " + OnnxAdapterFormat.FORMAT_VERSION);
        }
        if (adapter.parameters().isEmpty()) {
            throw new ModelFormatException(source + ": adapter has no parameters");
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (OnnxAdapterFormat.Parameter p : adapter.parameters()) {
            String what = source + ": parameter " + p.name();
            if (shapes.put(p.name(), p.dims()) != null) {
                throw new ModelFormatException(what + " appears twice");
            }
            long count = 1;
            for (long d : p.dims()) {
                if (d < 0) {
                    throw new ModelFormatException(what + ": negative dimension " + d);
                }
                count = Math.multiplyExact(count, d);
            }
            long expected = count * TensorData.elementSize(p.dataType(), what);
            if (p.data().length != expected) {
                throw new ModelFormatException(
                        what + ": holds " + p.data().length + " bytes, its shape needs " + expected);
            }
        }
        return new LoraAdapterContent(file, adapter, LoraLayout.of(source, shapes, blockSize));
    }

    /**
     * The adapter with every target zero-padded to its rank in {@code ranks} (targets absent or already at that
     * rank are copied as they are), re-encoded for {@code LoraAdapterFile.fromBytes} (reference §5.4 c).
     */
    public byte[] padded(Map<String, Integer> ranks) {
        List<OnnxAdapterFormat.Parameter> out = new ArrayList<>();
        for (OnnxAdapterFormat.Parameter p : adapter.parameters()) {
            LoraTensor t = layout.tensors().get(p.name());
            int r = layout.ranks().get(t.target());
            int rankR = ranks.getOrDefault(t.target(), r);
            if (rankR < r) {
                throw new IllegalArgumentException(p.name() + ": cannot narrow rank " + r + " to " + rankR);
            }
            if (rankR == r) {
                out.add(p);
                continue;
            }
            int size = TensorData.elementSize(p.dataType(), p.name());
            out.add(new OnnxAdapterFormat.Parameter(
                    p.name(),
                    layout.widenedDims(p.name(), rankR),
                    p.dataType(),
                    layout.widen(p.name(), p.data(), size, rankR)));
        }
        return OnnxAdapterFormat.encode(adapter.adapterVersion(), adapter.modelVersion(), out);
    }
}
