package dev.phi4ee.core.model.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.model.onnx.Onnx.StringStringEntryProto;
import dev.phi4ee.core.model.onnx.Onnx.TensorProto;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A graph whose external data are symbolic links leaving the graph's folder, as in a Hugging Face cache snapshot
 * ({@code snapshots/<rev>/x.onnx.data -> ../../blobs/<sha256>}). ONNX Runtime refuses such data ("escapes model
 * directory"); this class checks each link's real target against a trusted folder (the cache repository) and
 * rewrites the graph's external-data locations to the targets' real names, so ONNX Runtime loads the graph from
 * memory with the targets' real folder as its external-data folder and its own path check still holds there.
 * See docs/decisions/model-hf-cache-folders.md.
 */
public final class ExternalDataLinks {
    private static final int TENSOR_DATA_LOCATION = 14;
    private static final int EXTERNAL = 1;
    private static final int GRAPH_INITIALIZER = 5;

    private record Relocation(OnnxGraphIndex.Initializer initializer, TensorProto relocated) {}

    private final OnnxGraphIndex index;
    private final Path folder;
    private final List<Relocation> relocations;

    private ExternalDataLinks(OnnxGraphIndex index, Path folder, List<Relocation> relocations) {
        this.index = index;
        this.folder = folder;
        this.relocations = relocations;
    }

    /**
     * The links of {@code graph}'s external data, or empty when ONNX Runtime can open the file as it is (no external
     * data resolves outside the graph's real folder; the common case costs one directory listing).
     *
     * @param trusted the real folder every link must resolve into (the model folder, or the cache repository)
     * @throws ModelFormatException naming the file when a location is absolute or climbs out of the graph's folder,
     *     a link resolves outside {@code trusted}, or the data lie in more than one folder
     */
    public static Optional<ExternalDataLinks> of(Path graph, Path trusted) {
        Path dir = graph.toAbsolutePath().normalize().getParent();
        if (!hasLinks(dir)) {
            return Optional.empty();
        }
        String name = graph.getFileName().toString();
        try {
            Path realDir = dir.toRealPath();
            OnnxGraphIndex index = map(graph);
            List<Relocation> relocations = new ArrayList<>();
            Path folder = null;
            for (OnnxGraphIndex.Initializer init : index.initializers()) {
                if (!isExternal(index, init)) {
                    continue;
                }
                TensorProto t = index.tensor(init); // external: no data inline, small
                String location = location(t, name);
                Path real = realTarget(dir, location, name);
                if (!real.startsWith(trusted)) {
                    throw new ModelFormatException(name + ": external data " + location + " links to " + real
                            + ", outside " + trusted + "; only links into the model folder (or its Hugging Face"
                            + " cache repository) are followed");
                }
                if (folder == null) {
                    folder = real.getParent();
                } else if (!folder.equals(real.getParent())) {
                    throw new ModelFormatException(name + ": external data lie in more than one folder (" + folder
                            + ", " + real.getParent() + "); cannot load them through links");
                }
                relocations.add(
                        new Relocation(init, withLocation(t, real.getFileName().toString())));
            }
            if (folder == null || folder.equals(realDir)) {
                return Optional.empty(); // nothing leaves the folder: ONNX Runtime's own check passes
            }
            return Optional.of(new ExternalDataLinks(index, folder, List.copyOf(relocations)));
        } catch (IOException e) {
            throw new ModelFormatException(name + ": cannot resolve its external data: " + e, e);
        }
    }

    /** The real folder the relocated locations are relative to: ONNX Runtime's external-data folder. */
    public Path externalDataFolder() {
        return folder;
    }

    /** The graph with every external-data location renamed to its link's real file name. */
    public OnnxGraphRewrite rewrite() {
        OnnxGraphRewrite rewrite = new OnnxGraphRewrite(index);
        addTo(rewrite);
        return rewrite;
    }

    /**
     * Adds the relocations to {@code rewrite}, a rewrite of the same file (spans are byte positions in it), except
     * for initializers it already replaces (e.g. widened LoRA defaults, which become inline data).
     */
    public void addTo(OnnxGraphRewrite rewrite) {
        for (Relocation r : relocations) {
            if (!rewrite.edits(r.initializer().span())) {
                rewrite.replace(r.initializer().span(), OnnxGraphRewrite.message(GRAPH_INITIALIZER, r.relocated()));
            }
        }
    }

    private static boolean hasLinks(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(Files::isSymbolicLink);
        } catch (IOException e) {
            return false; // ONNX Runtime reports the unreadable folder itself
        }
    }

    private static OnnxGraphIndex map(Path graph) throws IOException {
        try (FileChannel ch = FileChannel.open(graph, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new ModelFormatException(graph.getFileName() + ": " + size
                        + " bytes; an ONNX protobuf file is at most 2 GiB (large weights belong in external data)");
            }
            return OnnxGraphIndex.of(ch.map(FileChannel.MapMode.READ_ONLY, 0, size));
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException(
                    graph.getFileName() + ": cannot read ONNX graph: not a valid ONNX model: " + e.getMessage(), e);
        }
    }

    /** Whether {@code data_location} is EXTERNAL, read without parsing the tensor's (possibly large) inline data. */
    private static boolean isExternal(OnnxGraphIndex index, OnnxGraphIndex.Initializer init) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(index.payload(init));
        boolean external = false;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == ((TENSOR_DATA_LOCATION << 3) | WireFormat.WIRETYPE_VARINT)) {
                external = in.readEnum() == EXTERNAL;
            } else {
                in.skipField(tag);
            }
        }
        return external;
    }

    private static String location(TensorProto t, String graph) {
        return t.getExternalDataList().stream()
                .filter(e -> e.getKey().equals("location"))
                .map(StringStringEntryProto::getValue)
                .findFirst()
                .orElseThrow(() -> new ModelFormatException(
                        graph + ": initializer " + t.getName() + " is stored externally but names no location"));
    }

    /** The real file {@code location} names, refusing locations that leave {@code dir} before links are followed. */
    private static Path realTarget(Path dir, String location, String graph) throws IOException {
        Path named = dir.resolve(location).normalize();
        if (Path.of(location).isAbsolute() || !named.startsWith(dir)) {
            throw new ModelFormatException(
                    graph + ": external data location " + location + " is not inside the graph's folder " + dir);
        }
        if (!Files.isRegularFile(named)) {
            throw new ModelFormatException(graph + ": external data file " + location + " missing in " + dir);
        }
        return named.toRealPath();
    }

    private static TensorProto withLocation(TensorProto t, String location) {
        TensorProto.Builder b = t.toBuilder().clearExternalData();
        for (StringStringEntryProto e : t.getExternalDataList()) {
            b.addExternalData(
                    e.getKey().equals("location")
                            ? e.toBuilder().setValue(location).build()
                            : e);
        }
        return b.build();
    }
}
