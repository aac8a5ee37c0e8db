package dev.phi4ee.samples.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code phi4 make-demo-model DIR}: writes the Phi-4-shaped demo model (random weights). */
@Command(
        name = "make-demo-model",
        mixinStandardHelpOptions = true,
        description = "Write the Phi-4-shaped demo model (official layout and names, tiny RANDOM weights) into DIR.")
public final class MakeDemoModelCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "target directory (created if absent)")
    Path directory;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        DemoModelCache.ensure(directory);
        spec.commandLine().getOut().println("wrote demo model to " + directory.toAbsolutePath());
        spec.commandLine().getOut().flush();
        DemoModelCache.warn(spec.commandLine().getErr(), directory);
        return 0;
    }
}
