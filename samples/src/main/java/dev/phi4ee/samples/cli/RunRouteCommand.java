package dev.phi4ee.samples.cli;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.Phi4Exception;
import dev.phi4ee.samples.routes.SampleJob;
import dev.phi4ee.samples.routes.SampleRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code phi4 run-route scans|calls --input DIR --output DIR [--model DIR]}: the Camel Main sample jobs. */
@Command(
        name = "run-route",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a Camel sample job over a folder, one JSON result per input file:",
            "  scans  scans, photos of documents, PDFs -> extracted text + summary",
            "  calls  call recordings (WAV, FLAC, MP3) -> transcript + summary + sentiment",
            "Without --model the demo model is used: every path is real, the text is RANDOM."
        })
public final class RunRouteCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "scans or calls")
    String job;

    @Option(names = "--input", required = true, description = "folder with the input files")
    Path input;

    @Option(names = "--output", required = true, description = "folder for the JSON results")
    Path output;

    @Option(names = "--model", description = "Phi-4-multimodal-instruct-onnx folder (default: the demo model)")
    Path model;

    @Option(
            names = "--execution-provider",
            defaultValue = "auto",
            description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE})")
    String executionProvider;

    @Option(
            names = "--max-new-tokens",
            defaultValue = "256",
            description = "bound of each generation (default: ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--watch", description = "keep polling the folder instead of stopping after the files present")
    boolean watch;

    @Mixin
    KvCacheOptions kvCache;

    @Override
    public Integer call() throws Exception {
        SampleJob sampleJob;
        try {
            sampleJob = SampleJob.valueOf(job.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            System.err.println("phi4 run-route: unknown job '" + job + "', expected scans or calls");
            return 2;
        }
        EngineOptions options;
        try {
            options = kvCache.applyTo(EngineOptions.builder().executionProvider(executionProvider))
                    .build();
        } catch (IllegalArgumentException e) {
            System.err.println("phi4 run-route: " + e.getMessage());
            return 2;
        }
        boolean demo = model == null;
        Path modelDir = demo ? DemoModelCache.ensure(DemoModelCache.defaultDirectory()) : model;
        PrintWriter err = new PrintWriter(System.err, true);
        if (demo) {
            DemoModelCache.warn(err, modelDir);
        }
        try {
            SampleRunner.run(sampleJob, input, output, modelDir, demo, options, maxNewTokens, watch, System.out);
        } catch (Phi4Exception e) { // the model does not open: one line, no stack trace
            System.err.println("phi4 run-route: " + e.getMessage());
            return 1;
        }
        if (demo) {
            DemoModelCache.warn(err, modelDir); // again after the log lines, so it is not missed
        }
        return 0;
    }
}
