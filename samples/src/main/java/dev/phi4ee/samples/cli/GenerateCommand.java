package dev.phi4ee.samples.cli;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.Phi4Exception;
import dev.phi4ee.core.api.ResponseFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code phi4 generate [--model DIR] "prompt"}: prints the generated text. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = "Generate a reply to PROMPT. Without --model, uses the demo model (random weights) from the"
                + " user's cache directory, creating it first.")
public final class GenerateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PROMPT", description = "the user message")
    String prompt;

    @Option(names = "--model", paramLabel = "DIR", description = "model directory (default: the demo model)")
    Path model;

    @Option(names = "--system", description = "system message")
    String system;

    @Option(names = "--image", paramLabel = "FILE", description = "image or PDF to attach (repeatable)")
    List<Path> images = new ArrayList<>();

    @Option(names = "--audio", paramLabel = "FILE", description = "audio file to attach (repeatable)")
    List<Path> audios = new ArrayList<>();

    @Option(names = "--max-new-tokens", defaultValue = "128", description = "default: ${DEFAULT-VALUE}")
    int maxNewTokens;

    @Option(names = "--min-new-tokens", defaultValue = "0")
    int minNewTokens;

    @Option(names = "--do-sample", description = "sample instead of greedy decoding")
    boolean doSample;

    @Option(names = "--temperature", defaultValue = "1.0")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "0 = off")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0")
    double topP;

    @Option(names = "--min-p", defaultValue = "0.0")
    double minP;

    @Option(names = "--repetition-penalty", defaultValue = "1.0")
    double repetitionPenalty;

    @Option(names = "--seed", description = "random seed for sampling")
    Long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "stop string (repeatable), excluded from the output")
    List<String> stops = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "per-request deadline")
    Double timeoutSeconds;

    @Option(names = "--stream", description = "print text as it is generated")
    boolean stream;

    @Option(
            names = "--json-schema",
            paramLabel = "FILE",
            description = "answer with JSON valid for this JSON Schema (constrained decoding); prints the JSON only")
    Path jsonSchema;

    @Option(names = "--json", description = "answer with a JSON object (constrained decoding); prints the JSON only")
    boolean json;

    @Option(
            names = "--provider",
            defaultValue = "auto",
            description = "execution provider: auto, cpu, cuda, cuda:N (default: ${DEFAULT-VALUE})")
    String provider;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads; 0 = default")
    int threads;

    @Mixin
    KvCacheOptions kvCache;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = model;
        if (dir == null) {
            dir = DemoModelCache.ensure(DemoModelCache.defaultDirectory());
            DemoModelCache.warn(err, dir);
        }
        ResponseFormat format;
        try {
            format = responseFormat();
        } catch (Phi4Exception e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 1;
        }
        try (Phi4Engine engine = Phi4Engine.open(
                dir,
                kvCache.applyTo(EngineOptions.builder()
                                .executionProvider(provider)
                                .intraOpThreads(threads))
                        .build())) {
            GenerationRequest request = request(format);
            GenerationResult result;
            if (stream) {
                result = engine.stream(request, delta -> {
                            out.print(delta);
                            out.flush();
                        })
                        .result()
                        .join();
                out.println();
            } else {
                result = engine.generate(request);
                out.println(result.text());
            }
            out.flush();
            err.printf(
                    "[finish %s, prompt %d tokens, generated %d, first token %d ms, %.1f tokens/s, %s]%n",
                    result.finishReason(),
                    result.usage().promptTokens(),
                    result.usage().generatedTokens(),
                    result.timings().timeToFirstToken().toMillis(),
                    result.timings().tokensPerSecond(),
                    engine.info().executionProvider());
            if (format.constrained() && result.finishReason() != FinishReason.STOP) {
                err.println("error: the JSON is incomplete (finish " + result.finishReason()
                        + "); raise --max-new-tokens or --timeout");
                err.flush();
                return 1;
            }
            err.flush();
            return 0;
        } catch (Phi4Exception | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 1;
        } catch (java.util.concurrent.CompletionException e) {
            err.println("error: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
            err.flush();
            return 1;
        }
    }

    /** The response format of --json / --json-schema (schema errors are reported before the model is loaded). */
    private ResponseFormat responseFormat() {
        if (json && jsonSchema != null) {
            throw new InvalidInputException("--json and --json-schema exclude each other");
        }
        if (json) {
            return ResponseFormat.json();
        }
        if (jsonSchema == null) {
            return ResponseFormat.text();
        }
        String schema;
        try {
            schema = Files.readString(jsonSchema);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read the JSON schema file " + jsonSchema + ": " + e.getMessage());
        }
        try {
            return ResponseFormat.jsonSchema(schema);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(jsonSchema + ": " + e.getMessage());
        }
    }

    private GenerationRequest request(ResponseFormat format) {
        GenerationOptions options = GenerationOptions.builder()
                .maxNewTokens(maxNewTokens)
                .minNewTokens(minNewTokens)
                .doSample(doSample)
                .temperature(temperature)
                .topK(topK)
                .topP(topP)
                .minP(minP)
                .repetitionPenalty(repetitionPenalty)
                .seed(seed)
                .stopSequences(stops)
                .responseFormat(format)
                .timeout(timeoutSeconds == null ? null : Duration.ofMillis((long) (timeoutSeconds * 1000)))
                .build();
        GenerationRequest.Builder b = GenerationRequest.builder().options(options);
        if (system != null) {
            b.system(system);
        }
        for (Path image : images) {
            b.image(Media.of(image));
        }
        for (Path audio : audios) {
            b.audio(Media.of(audio));
        }
        return b.user(prompt).build();
    }
}
