package dev.phi4ee.samples.cli;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.Phi4Exception;
import dev.phi4ee.core.generate.ModelInspection;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code phi4 inspect-model DIR}: the configuration, every graph's inputs/outputs with dtypes and shapes, and the KV
 * cache plan an engine would open with on this machine.
 */
@Command(
        name = "inspect-model",
        mixinStandardHelpOptions = true,
        description = "Print a model directory's configuration and each graph's inputs/outputs (dtypes, shapes),"
                + " check them against the Phi-4 contract, and print the KV cache plan (window, slots, memory) an"
                + " engine with the same options would open with here.")
public final class InspectModelCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "model directory (genai_config.json and graphs)")
    Path directory;

    @Option(
            names = "--provider",
            defaultValue = "auto",
            description =
                    "execution provider the plan is made for: auto, cpu, cuda, cuda:N (default: ${DEFAULT-VALUE})")
    String provider;

    @Mixin
    KvCacheOptions kvCache;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try {
            EngineOptions options = kvCache.applyTo(EngineOptions.builder().executionProvider(provider))
                    .build();
            String report = ModelInspection.describe(directory, options);
            spec.commandLine().getOut().print(report);
            spec.commandLine().getOut().flush();
            return report.contains("contract: OK") && !report.contains("KV cache: FAILED") ? 0 : 1;
        } catch (Phi4Exception | IllegalArgumentException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 1;
        }
    }
}
