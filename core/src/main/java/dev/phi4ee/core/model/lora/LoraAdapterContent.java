package dev.phi4ee.core.model.lora;

import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.model.onnx.OnnxAdapterFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated {@code .onnx_adapter} file (reference §5.1): format version 1, LoRA parameters only, unique names,
 * data sizes matching shape × element size, one rank per target.
 *
 * <p>Only the header is kept (names, shapes, where each tensor's bytes are); the bytes stay in the file. Each of
 * {@link #tensors} reads its bytes from the file, zero-padded if needed, straight into the memory it is loaded into:
 * an adapter is decoded once and never held on the heap (the release's are 250 and 313 MB). Reads, not a mapping:
 * mapped pages would stay in the process's resident set until the mapping is collected.
 *
 * @param file where it was read from (names it in errors)
 * @param size the file's size in bytes when indexed
 * @param index the parameters' headers and positions
 * @param layout the LoRA weights and their ranks
 */
public record LoraAdapterContent(Path file, long size, OnnxAdapterFormat.Index index, LoraLayout layout) {

    /** One adapter tensor as the graph takes it: its shape after padding, its bytes read on demand. */
    public static final class PaddedTensor {
        private final Path file;
        private final OnnxAdapterFormat.Slice slice;
        private final LoraLayout layout;
        private final int rankR;
        private final long[] dims;
        private final long byteSize;

        private PaddedTensor(Path file, OnnxAdapterFormat.Slice slice, LoraLayout layout, int rankR) {
            this.file = file;
            this.slice = slice;
            this.layout = layout;
            this.rankR = rankR;
            int size = TensorData.elementSize(slice.dataType(), slice.name());
            this.dims = layout.widenedDims(slice.name(), rankR);
            this.byteSize = layout.widenedSize(slice.name(), size, rankR);
        }

        public String name() {
            return slice.name();
        }

        /** Shape after padding (the adapter's own when its rank already fits). */
        public long[] dims() {
            return dims.clone();
        }

        /** ONNX {@code TensorProto.DataType} number. */
        public int dataType() {
            return slice.dataType();
        }

        public long byteSize() {
            return byteSize;
        }

        /**
         * Writes the tensor's little-endian bytes, zero-padded to the target rank, into {@code dst} from its position
         * ({@link #byteSize()} bytes; the position does not move). A tensor that needs no padding is read straight
         * into {@code dst}; a padded one goes through one heap buffer of its own size.
         *
         * @throws ModelFormatException when the file cannot be read
         */
        public void writeTo(ByteBuffer dst) {
            if (dst.remaining() < byteSize) {
                throw new IllegalArgumentException(
                        name() + ": needs " + byteSize + " bytes, the buffer has " + dst.remaining());
            }
            ByteBuffer target = dst.slice(dst.position(), (int) byteSize);
            int own = layout.ranks().get(layout.tensors().get(name()).target());
            if (rankR == own) {
                read(target);
            } else {
                ByteBuffer data = ByteBuffer.allocate(slice.length());
                read(data);
                layout.widen(name(), data, target, TensorData.elementSize(slice.dataType(), name()), rankR);
            }
        }

        private void read(ByteBuffer into) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer b = into.duplicate().clear();
                while (b.hasRemaining()) {
                    if (ch.read(b, slice.offset() + (long) b.position()) < 0) {
                        throw new ModelFormatException(file.getFileName() + ": parameter " + name() + " truncated");
                    }
                }
            } catch (IOException e) {
                throw new ModelFormatException(file.getFileName() + ": cannot read parameter " + name() + ": " + e, e);
            }
        }
    }

    /**
     * Reads and validates an adapter file.
     *
     * @param blockSize MatMulNBits block size of the graph (int4 form)
     * @throws ModelFormatException naming the file (and the parameter) when the file is unreadable or malformed
     */
    public static LoraAdapterContent read(Path file, int blockSize) {
        ByteBuffer bytes = map(file);
        return parse(file, bytes, blockSize);
    }

    /** As {@link #read(Path, int)} for bytes already in memory; {@code file} only names them. */
    public static LoraAdapterContent parse(Path file, ByteBuffer bytes, int blockSize) {
        String source = file.getFileName().toString();
        OnnxAdapterFormat.Index index;
        try {
            index = OnnxAdapterFormat.index(bytes);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source + ": not a valid ONNX Runtime adapter file: " + e.getMessage(), e);
        }
        if (index.formatVersion() != OnnxAdapterFormat.FORMAT_VERSION) {
            throw new ModelFormatException(source + ": adapter format version " + index.formatVersion()
                    + ", ONNX Runtime reads only " + OnnxAdapterFormat.FORMAT_VERSION);
        }
        if (index.parameters().isEmpty()) {
            throw new ModelFormatException(source + ": adapter has no parameters");
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (OnnxAdapterFormat.Slice p : index.parameters()) {
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
            if (p.length() != expected) {
                throw new ModelFormatException(what + ": holds " + p.length() + " bytes, its shape needs " + expected);
            }
        }
        return new LoraAdapterContent(file, bytes.limit(), index, LoraLayout.of(source, shapes, blockSize));
    }

    /**
     * The adapter's tensors with every target zero-padded to its rank in {@code ranks} (targets absent or already at
     * that rank as they are), each read from the file when written (reference §5.4 c).
     *
     * @throws ModelFormatException when the file cannot be read or changed size since it was indexed
     */
    public List<PaddedTensor> tensors(Map<String, Integer> ranks) {
        long now;
        try {
            now = Files.size(file);
        } catch (IOException e) {
            throw new ModelFormatException(file.getFileName() + ": cannot read LoRA adapter: " + e, e);
        }
        if (now != size) {
            throw new ModelFormatException(
                    file.getFileName() + ": changed since it was read (" + now + " bytes, was " + size + ")");
        }
        List<PaddedTensor> out = new ArrayList<>();
        for (OnnxAdapterFormat.Slice p : index.parameters()) {
            LoraTensor t = layout.tensors().get(p.name());
            int r = layout.ranks().get(t.target());
            int rankR = ranks.getOrDefault(t.target(), r);
            if (rankR < r) {
                throw new IllegalArgumentException(p.name() + ": cannot narrow rank " + r + " to " + rankR);
            }
            out.add(new PaddedTensor(file, p, layout, rankR));
        }
        return out;
    }

    /**
     * The adapter zero-padded to {@code ranks}, encoded as an adapter file (for ONNX Runtime's {@code
     * CreateLoraAdapterFromArray}, tools and tests). Holds the whole adapter on the heap; the engine loads {@link
     * #tensors} instead.
     */
    public byte[] encodePadded(Map<String, Integer> ranks) {
        List<OnnxAdapterFormat.Parameter> out = new ArrayList<>();
        for (PaddedTensor p : tensors(ranks)) {
            byte[] data = new byte[Math.toIntExact(p.byteSize())];
            p.writeTo(ByteBuffer.wrap(data));
            out.add(new OnnxAdapterFormat.Parameter(p.name(), p.dims(), p.dataType(), data));
        }
        return OnnxAdapterFormat.encode(index.adapterVersion(), index.modelVersion(), out);
    }

    private static ByteBuffer map(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new ModelFormatException(
                        file.getFileName() + ": " + size + " bytes; an adapter file is at most 2 GiB");
            }
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (IOException e) {
            throw new ModelFormatException(file.getFileName() + ": cannot read LoRA adapter: " + e, e);
        }
    }
}
