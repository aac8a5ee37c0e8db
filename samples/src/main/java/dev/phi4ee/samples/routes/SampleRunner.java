package dev.phi4ee.samples.routes;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.Phi4Engine;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.camel.main.Main;

/**
 * Runs one sample job with Camel Main: opens the engine once, binds it for the {@code phi4:} endpoints and either
 * processes the files present and stops ({@code watch=false}) or keeps polling the folder.
 */
public final class SampleRunner {

    private SampleRunner() {}

    /**
     * @param modelDir the model folder
     * @param demo true when it is the demo model: results then carry a warning that the text is random
     * @param engineOptions how the engine opens (execution provider, KV cache window and memory budget)
     * @return the number of input files handled (0 when watching)
     */
    public static int run(
            SampleJob job,
            Path input,
            Path output,
            Path modelDir,
            boolean demo,
            EngineOptions engineOptions,
            int maxNewTokens,
            boolean watch,
            PrintStream out)
            throws Exception {
        int files = countInputs(job, input);
        if (!watch && files == 0) {
            out.println(
                    "phi4: no matching files in " + input + " (" + job.include().pattern() + ")");
            return 0;
        }
        Files.createDirectories(output);
        try (Phi4Engine engine = Phi4Engine.open(modelDir, engineOptions)) {
            runWith(
                    engine,
                    job,
                    input,
                    output,
                    new SampleSettings(maxNewTokens, demo, modelDir.toString()),
                    watch ? -1 : files);
        }
        out.println("phi4: " + (watch ? "" : files + " results ") + "in " + output.toAbsolutePath());
        return watch ? 0 : files;
    }

    /**
     * Runs the job's route on Camel Main with the given engine bound in the registry; with {@code stopAfter >= 0}
     * it stops once that many files have been handled (one JSON result or error file each).
     */
    public static void runWith(
            Phi4Engine engine, SampleJob job, Path input, Path output, SampleSettings settings, int stopAfter)
            throws Exception {
        Main main = new Main();
        main.bind("phi4Engine", engine);
        main.configure().addRoutesBuilder(job.route(input, output, settings));
        if (stopAfter >= 0) {
            main.configure().setDurationMaxMessages(stopAfter);
        }
        main.run();
    }

    static int countInputs(SampleJob job, Path input) {
        if (!Files.isDirectory(input)) {
            throw new IllegalArgumentException("input folder does not exist: " + input);
        }
        try (Stream<Path> list = Files.list(input)) {
            return (int) list.filter(Files::isRegularFile)
                    .filter(p ->
                            job.include().matcher(p.getFileName().toString()).matches())
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
