package dev.phi4ee.samples.cli;

import dev.phi4ee.core.api.Phi4Exception;
import dev.phi4ee.core.generate.ModelInspection;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code phi4 inspect-model DIR}: the configuration and every graph's inputs/outputs with dtypes and shapes. */
@Command(
        name = "inspect-model",
        mixinStandardHelpOptions = true,
        description = "Print a model directory's configuration and each graph's inputs/outputs (dtypes, shapes),"
                + " then check them against the Phi-4 contract.")
public final class InspectModelCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "model directory (genai_config.json and graphs)")
    Path directory;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try {
            String report = ModelInspection.describe(directory);
            spec.commandLine().getOut().print(report);
            spec.commandLine().getOut().flush();
            return report.contains("contract: OK") ? 0 : 1;
        } catch (Phi4Exception e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 1;
        }
    }
}
