package dev.phi4ee.core.model.lora;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to load so that every adapter fits the text graph's LoRA inputs exactly (reference §5.4 c), made by
 * {@link LoraRankFit#plan}. When nothing needed widening the files are loaded as they are and no bytes are held.
 *
 * @param decoder the text graph to create the session from
 * @param adapters one entry per adapter, in the order asked for
 */
public record LoraRankPlan(FittedGraph decoder, List<FittedAdapter> adapters) {
    public LoraRankPlan {
        adapters = List.copyOf(adapters);
    }

    /**
     * This plan without the patched model bytes, once the decoder session exists: a holder of the plan (e.g. for
     * loading the adapters later) should not keep the widened graph — hundreds of MB for the release — alive.
     */
    public LoraRankPlan withoutModelBytes() {
        return new LoraRankPlan(new FittedGraph(decoder.file(), null, decoder.rank(), decoder.isPatched()), adapters);
    }

    /** The entry for {@code file}. */
    public Optional<FittedAdapter> adapter(Path file) {
        return adapters.stream().filter(a -> a.file().equals(file)).findFirst();
    }

    /**
     * The text graph: the original file, or patched model bytes to create the session from in memory, with the
     * original file's directory as ONNX Runtime's external-initializer folder (session config
     * {@code session.model_external_initializers_file_folder_path}), so the untouched {@code .onnx.data} locations
     * resolve as before and nothing is written next to the model.
     *
     * @param file the original graph file
     * @param patchedModel the widened ModelProto bytes; null when the original fits or after {@link
     *     #withoutModelBytes()}
     * @param rank the LoRA rank after the plan (the largest over targets); 0 without LoRA inputs
     * @param isPatched whether the graph was widened
     */
    public record FittedGraph(Path file, byte[] patchedModel, int rank, boolean isPatched) {

        /** Folder the external data of {@link #patchedModel()} is relative to. */
        public Path externalDataFolder() {
            Path parent = file.toAbsolutePath().getParent();
            return parent == null ? Path.of("") : parent;
        }
    }

    /**
     * An adapter: load {@code file} as it is, or — when {@link #isPadded()} — the bytes of {@link #paddedBytes()}.
     *
     * @param file the adapter file
     * @param rank its own (largest) rank before padding
     * @param targetRanks rank per LoRA target to pad to, or null when it fits as it is
     * @param blockSize MatMulNBits block size of the graph (int4 form)
     */
    public record FittedAdapter(Path file, int rank, Map<String, Integer> targetRanks, int blockSize) {
        public FittedAdapter {
            targetRanks = targetRanks == null ? null : Map.copyOf(targetRanks);
        }

        public boolean isPadded() {
            return targetRanks != null;
        }

        /**
         * The adapter file zero-padded to the graph's ranks, in adapter format (reference §5.4 c). Computed on each
         * call from the file (the plan holds no adapter bytes): call it once, when loading.
         *
         * @throws IllegalStateException when the adapter fits as it is
         * @throws dev.phi4ee.core.api.ModelFormatException when the file cannot be read again
         */
        public byte[] paddedBytes() {
            if (targetRanks == null) {
                throw new IllegalStateException(file.getFileName() + " fits the graph as it is; load the file");
            }
            return LoraAdapterContent.read(file, blockSize).padded(targetRanks);
        }
    }
}
