package dev.phi4ee.samples.cli;

import dev.phi4ee.core.api.Phi4Exception;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code phi4} command-line tool: {@code java -jar samples/target/phi4.jar <subcommand>}. Each subcommand is
 * its own class in this package, registered below.
 */
@Command(
        name = "phi4",
        mixinStandardHelpOptions = true,
        version = "phi4 0.1.0",
        description =
                "Phi-4-multimodal on ONNX Runtime: inspect models, preprocess media, tokenize, generate, serve the OpenAI API.",
        subcommands = {
            CommandLine.HelpCommand.class,
            InspectModelCommand.class,
            MakeDemoModelCommand.class,
            GenerateCommand.class,
            TokenizeCommand.class,
            DetokenizeCommand.class,
            PreprocessImageCommand.class,
            PreprocessAudioCommand.class,
            RunRouteCommand.class,
            ServeCommand.class,
        })
public final class Phi4Cli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the tool without exiting the JVM (tests call this). */
    public static int run(String... args) {
        return new CommandLine(new Phi4Cli())
                .setExecutionExceptionHandler(Phi4Cli::reportFailure)
                .execute(args);
    }

    /**
     * The backstop for failures a command did not report itself: a refused model file, a bad option value or an
     * I/O problem is the user's to fix, so it gets one line naming what is wrong, never a stack trace. Anything else
     * is a defect: one line too, and the stack trace with {@code -Dphi4.stacktrace=true}.
     */
    private static int reportFailure(Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
        boolean userError = e instanceof Phi4Exception
                || e instanceof IllegalArgumentException
                || e instanceof IOException
                || e instanceof UncheckedIOException;
        PrintWriter err = commandLine.getErr();
        err.println("error: " + (userError ? e.getMessage() : e));
        if (!userError && Boolean.getBoolean("phi4.stacktrace")) {
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }
}
