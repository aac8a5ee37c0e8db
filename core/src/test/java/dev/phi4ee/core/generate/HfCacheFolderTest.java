package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.model.onnx.Onnx;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model folder as {@code huggingface-cli download} leaves it in the Hugging Face cache (no {@code --local-dir}):
 * {@code models--<org>--<name>/snapshots/<revision>/<subfolder>/<file>} are relative symlinks to
 * {@code models--<org>--<name>/blobs/<sha256>} (huggingface_hub's file_download.py, {@code _create_symlink}).
 */
class HfCacheFolderTest {
    static final TestModelSpec SPEC = KitModels.spec().build();
    static final String REVISION = "0af439b3adb8c23fda473c4f86001dbf9a226021";

    @TempDir
    Path tmp;

    @Test
    void snapshotOfSymlinksIntoBlobsOpensAndGenerates() throws IOException {
        Path snapshot = cacheLayout(KitModels.dir(SPEC), tmp.resolve("hub/models--microsoft--Phi-4-mm-onnx"));
        assertThat(snapshot.resolve(Phi4TestModels.TEXT_FILE + ".data")).isSymbolicLink();

        GenerationResult fromCache;
        try (Phi4Engine engine = Phi4Engine.open(snapshot, options())) {
            fromCache = engine.generate(request());
        }
        GenerationResult fromCopy;
        try (Phi4Engine engine = Phi4Engine.open(KitModels.dir(SPEC), options())) {
            fromCopy = engine.generate(request());
        }
        assertThat(fromCache.tokenIds()).isNotEmpty().isEqualTo(fromCopy.tokenIds());
        assertThat(ModelInspection.describe(snapshot, options()))
                .contains("contract: OK")
                .doesNotContain("cannot load");
    }

    @Test
    void textGraphWidenedForTheSpeechAdapterAlsoLoadsThroughTheLinks() throws IOException {
        // the speech adapter's rank (10) exceeds the graph's (8): the text graph is widened in memory (§5.4 c)
        TestModelSpec speech = KitModels.spec().includeSpeech(true).build();
        Path snapshot = cacheLayout(KitModels.dir(speech), tmp.resolve("hub/models--microsoft--Phi-4-mm-onnx"));

        GenerationResult fromCache;
        try (Phi4Engine engine = Phi4Engine.open(snapshot, options())) {
            fromCache = engine.generate(request());
        }
        GenerationResult fromCopy;
        try (Phi4Engine engine = Phi4Engine.open(KitModels.dir(speech), options())) {
            fromCopy = engine.generate(request());
        }
        assertThat(fromCache.tokenIds()).isNotEmpty().isEqualTo(fromCopy.tokenIds());
    }

    @Test
    void externalDataLinkLeavingTheCacheIsRefusedNamingTheFile() throws IOException {
        Path repo = tmp.resolve("hub/models--microsoft--Phi-4-mm-onnx");
        Path snapshot = cacheLayout(KitModels.dir(SPEC), repo);
        String data = Phi4TestModels.TEXT_FILE + ".data";
        Path outside = Files.copy(snapshot.resolve(data), tmp.resolve("elsewhere.data"));
        Files.delete(snapshot.resolve(data));
        Files.createSymbolicLink(snapshot.resolve(data), outside);

        assertThatThrownBy(() -> Phi4Engine.open(snapshot, options()))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(data)
                .hasMessageContaining(outside.toRealPath().toString())
                .hasMessageContaining("outside");
    }

    @Test
    void locationClimbingOutOfTheModelFolderIsRefusedEvenInsideTheCache() throws IOException {
        Path snapshot = cacheLayout(KitModels.dir(SPEC), tmp.resolve("hub/models--microsoft--Phi-4-mm-onnx"));
        String graph = Phi4TestModels.EMBEDDING_FILE;
        // ONNX Runtime refuses "../" locations; following links must not let them in, though the target is in the cache
        Onnx.ModelProto model = Onnx.ModelProto.parseFrom(Files.readAllBytes(snapshot.resolve(graph)));
        Onnx.ModelProto.Builder b = model.toBuilder();
        for (Onnx.TensorProto.Builder t : b.getGraphBuilder().getInitializerBuilderList()) {
            for (Onnx.StringStringEntryProto.Builder e : t.getExternalDataBuilderList()) {
                if (e.getKey().equals("location")) {
                    e.setValue("../" + graph + ".data");
                }
            }
        }
        Files.copy(snapshot.resolve(graph + ".data"), snapshot.resolveSibling(graph + ".data"));
        Files.delete(snapshot.resolve(graph));
        Files.write(snapshot.resolve(graph), b.build().toByteArray());

        assertThatThrownBy(() -> Phi4Engine.open(snapshot, options()))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(graph + ": external data location ../" + graph + ".data")
                .hasMessageContaining("not inside the graph's folder");
    }

    /** Lays {@code model}'s files out as the cache does: blobs by SHA-256, a snapshot subfolder of relative links. */
    static Path cacheLayout(Path model, Path repo) throws IOException {
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        Path snapshot = Files.createDirectories(
                repo.resolve("snapshots").resolve(REVISION).resolve("cpu-int4"));
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), REVISION);
        List<Path> files;
        try (Stream<Path> s = Files.list(model)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            String sha = sha256(f);
            Path blob = blobs.resolve(sha);
            if (!Files.exists(blob)) {
                Files.copy(f, blob);
            }
            Files.createSymbolicLink(
                    snapshot.resolve(f.getFileName().toString()),
                    Path.of("../../../blobs").resolve(sha));
        }
        return snapshot;
    }

    static String sha256(Path f) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(f), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of()
                    .formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static EngineOptions options() {
        return EngineOptions.builder()
                .executionProvider("cpu")
                .intraOpThreads(1)
                .build();
    }

    static GenerationRequest request() {
        return GenerationRequest.builder()
                .options(GenerationOptions.builder().maxNewTokens(6).build())
                .user("What is in the cache?")
                .build();
    }
}
