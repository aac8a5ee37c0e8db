package dev.phi4ee.core.model.lora;

import dev.phi4ee.core.model.onnx.OnnxGraphRewrite;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to load so that every adapter fits the text graph's LoRA inputs exactly (reference §5.4 c), made by
 * {@link LoraRankFit#plan}. The plan holds no tensor data: the widened graph is written on demand from the mapped
 * original ({@link FittedGraph#writeWidened}), adapters are copied from their files into the memory that loads them
 * ({@link FittedAdapter#tensors()}).
 *
 * @param decoder the text graph to create the session from
 * @param adapters one entry per adapter, in the order asked for
 */
public record LoraRankPlan(FittedGraph decoder, List<FittedAdapter> adapters) {
    public LoraRankPlan {
        adapters = List.copyOf(adapters);
    }

    /**
     * This plan without the widened graph's rewrite, once the decoder session exists: a holder of the plan (e.g. for
     * loading the adapters later) should not keep the original graph file mapped.
     */
    public LoraRankPlan withoutWidenedGraph() {
        return new LoraRankPlan(new FittedGraph(decoder.file(), null, decoder.rank(), decoder.isPatched()), adapters);
    }

    /** The entry for {@code file}. */
    public Optional<FittedAdapter> adapter(Path file) {
        return adapters.stream().filter(a -> a.file().equals(file)).findFirst();
    }

    /**
     * The text graph: the original file, or a widened model written from it, to create the session from memory with
     * the original file's directory as ONNX Runtime's external-initializer folder (session config
     * {@code session.model_external_initializers_file_folder_path}), so the untouched {@code .onnx.data} locations
     * resolve as before and nothing is written next to the model.
     *
     * @param file the original graph file
     * @param widened the rewrite that widens it; null when the original fits or after {@link #withoutWidenedGraph()}
     * @param rank the LoRA rank after the plan (the largest over targets); 0 without LoRA inputs
     * @param isPatched whether the graph is widened
     */
    public record FittedGraph(Path file, OnnxGraphRewrite widened, int rank, boolean isPatched) {

        /** Folder the external data of the widened model is relative to. */
        public Path externalDataFolder() {
            Path parent = file.toAbsolutePath().getParent();
            return parent == null ? Path.of("") : parent;
        }

        /** Bytes of the widened model. */
        public long widenedSize() {
            return rewrite().size();
        }

        /**
         * Writes the widened model into {@code target} from its position ({@link #widenedSize()} bytes), e.g. native
         * memory for {@code OrtSession.open}: the heap holds one LoRA tensor at a time.
         *
         * @throws dev.phi4ee.core.api.ModelFormatException when a LoRA default cannot be read
         */
        public void writeWidened(ByteBuffer target) {
            rewrite().writeTo(target);
        }

        /** As {@link #writeWidened(ByteBuffer)}, to a stream (e.g. a file, for tools and tests). */
        public void writeWidened(OutputStream out) throws IOException {
            rewrite().writeTo(out);
        }

        private OnnxGraphRewrite rewrite() {
            if (widened == null) {
                throw new IllegalStateException(
                        file.getFileName() + (isPatched ? ": widened graph already released" : " fits as it is"));
            }
            return widened;
        }
    }

    /**
     * An adapter: its validated header, its own rank, and the ranks to pad it to (null when it fits as it is).
     *
     * @param content the adapter file's header and layout (no tensor data)
     * @param rank its own (largest) rank before padding
     * @param targetRanks rank per LoRA target to pad to, or null when it fits as it is
     */
    public record FittedAdapter(LoraAdapterContent content, int rank, Map<String, Integer> targetRanks) {
        public FittedAdapter {
            targetRanks = targetRanks == null ? null : Map.copyOf(targetRanks);
        }

        public Path file() {
            return content.file();
        }

        public boolean isPadded() {
            return targetRanks != null;
        }

        /**
         * The tensors to load, zero-padded where the graph's rank is larger, each copied from the file on demand.
         *
         * @throws dev.phi4ee.core.api.ModelFormatException when the file cannot be read again
         */
        public List<LoraAdapterContent.PaddedTensor> tensors() {
            return content.tensors(targetRanks == null ? Map.of() : targetRanks);
        }

        /**
         * The adapter file zero-padded to the graph's ranks, in adapter format (reference §5.4 c), for ONNX
         * Runtime's {@code CreateLoraAdapterFromArray}. Holds the whole adapter on the heap: tools and tests; the
         * engine loads {@link #tensors()}.
         *
         * @throws IllegalStateException when the adapter fits as it is
         */
        public byte[] paddedBytes() {
            if (targetRanks == null) {
                throw new IllegalStateException(file().getFileName() + " fits the graph as it is; load the file");
            }
            return content.encodePadded(targetRanks);
        }
    }
}
