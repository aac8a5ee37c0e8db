package dev.phi4ee.samples.cli;

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
        return new CommandLine(new Phi4Cli()).execute(args);
    }
}
