package dev.phi4ee.core.model.lora;

import java.nio.file.Path;
import java.util.List;
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
     * @param patchedModel the widened ModelProto bytes, or null when the original fits
     * @param rank the LoRA rank after the plan (the largest over targets); 0 without LoRA inputs
     */
    public record FittedGraph(Path file, byte[] patchedModel, int rank) {
        public boolean isPatched() {
            return patchedModel != null;
        }

        /** Folder the external data of {@link #patchedModel()} is relative to. */
        public Path externalDataFolder() {
            Path parent = file.toAbsolutePath().getParent();
            return parent == null ? Path.of("") : parent;
        }
    }

    /**
     * An adapter: load {@code file} as it is, or — when padded — {@code paddedBytes} through
     * {@code LoraAdapterFile.fromBytes(file, paddedBytes)}.
     *
     * @param file the adapter file
     * @param rank its own (largest) rank before padding
     * @param paddedBytes adapter-format bytes zero-padded to the graph's rank, or null when it fits as it is
     */
    public record FittedAdapter(Path file, int rank, byte[] paddedBytes) {
        public boolean isPadded() {
            return paddedBytes != null;
        }
    }
}
