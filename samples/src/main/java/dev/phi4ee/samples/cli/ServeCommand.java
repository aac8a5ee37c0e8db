package dev.phi4ee.samples.cli;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.Phi4Exception;
import dev.phi4ee.openai.EngineHolder;
import dev.phi4ee.openai.OpenAiApiConfig;
import dev.phi4ee.samples.serve.ApiServer;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code phi4 serve}: the OpenAI-compatible API ({@code /v1/models}, {@code /v1/chat/completions}) plus
 * {@code /health/live}, {@code /health/ready} and {@code /metrics} (Prometheus), until the process is stopped. The
 * HTTP server is up before the engine so that readiness answers 503 while a large model loads.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Serve the OpenAI Chat Completions API. Without --model, serves the demo model (random"
                + " weights). Binding a non-loopback address needs --api-key, or --allow-unauthenticated.")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "DIR", description = "model directory (default: the demo model)")
    Path model;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "8000", description = "port; 0 = any free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(
            names = "--api-key",
            paramLabel = "KEY",
            description = "accepted bearer key (repeatable); also read from the PHI4_API_KEY environment variable")
    List<String> apiKeys = new ArrayList<>();

    @Option(names = "--allow-unauthenticated", description = "allow binding a non-loopback address without any API key")
    boolean allowUnauthenticated;

    @Option(
            names = "--model-id",
            defaultValue = OpenAiApiConfig.DEFAULT_MODEL_ID,
            description = "default: ${DEFAULT-VALUE}")
    String modelId;

    @Option(
            names = "--allow-media-url",
            paramLabel = "PREFIX",
            description = "URL prefix from which image_url may be fetched (repeatable); default: data: URLs only")
    List<String> mediaPrefixes = new ArrayList<>();

    @Option(names = "--max-request-bytes", defaultValue = "67108864", description = "default: ${DEFAULT-VALUE}")
    long maxRequestBytes;

    @Option(names = "--provider", defaultValue = "auto", description = "auto, cpu, cuda, cuda:N")
    String provider;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads; 0 = default")
    int threads;

    @Option(names = "--max-length", defaultValue = "0", description = "context window; 0 = the model config's")
    int maxLength;

    @Option(names = "--max-batch-size", description = "requests decoded together (default: the engine's)")
    Integer maxBatchSize;

    @Option(names = "--max-queued", description = "waiting requests beyond this get 429 (default: the engine's)")
    Integer maxQueued;

    @Spec
    CommandSpec spec;

    /** Released to stop a running server (tests); the JVM's shutdown hook does it for the command line. */
    final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LinkedHashSet<String> keys = new LinkedHashSet<>(apiKeys);
        String envKey = System.getenv("PHI4_API_KEY");
        if (envKey != null && !envKey.isBlank()) {
            keys.add(envKey.trim());
        }
        OpenAiApiConfig config;
        try {
            if (keys.isEmpty() && !isLoopback(host) && !allowUnauthenticated) {
                err.println("error: --host " + host + " is reachable from other machines; give --api-key KEY"
                        + " (or PHI4_API_KEY), or --allow-unauthenticated to serve it without a key");
                err.flush();
                return 2;
            }
            config = OpenAiApiConfig.defaults()
                    .withModelId(modelId)
                    .withApiKeys(keys)
                    .withRemoteMediaPrefixes(mediaPrefixes)
                    .withMaxRequestBytes(maxRequestBytes);
        } catch (IllegalArgumentException | UnknownHostException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        }

        EngineHolder engines = new EngineHolder();
        ApiServer server;
        try {
            server = ApiServer.start(host, port, config, engines);
        } catch (RuntimeException e) {
            err.println("error: cannot listen on " + host + ":" + port + ": " + rootMessage(e));
            err.flush();
            return 1;
        }
        Phi4Engine engine = null;
        Thread hook = new Thread(stop::countDown, "phi4-serve-shutdown");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            Path dir = model;
            if (dir == null) {
                dir = DemoModelCache.ensure(DemoModelCache.defaultDirectory());
                DemoModelCache.warn(err, dir);
            }
            engine = Phi4Engine.open(dir, engineOptions());
            engines.set(engine);
            out.println("phi4 serve: " + modelId + " on " + server.baseUri() + "v1 ("
                    + engine.info().executionProvider()
                    + (keys.isEmpty() ? ", no API key" : ", " + keys.size() + " API key(s)") + ")");
            out.flush();
            stop.await();
            return 0;
        } catch (Phi4Exception | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 1;
        } finally {
            engines.clear("the server is shutting down");
            server.close();
            if (engine != null) {
                engine.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running: nothing to remove
            }
        }
    }

    private EngineOptions engineOptions() {
        EngineOptions.Builder b = EngineOptions.builder()
                .executionProvider(provider)
                .intraOpThreads(threads)
                .maxLength(maxLength);
        if (maxBatchSize != null) {
            b.maxBatchSize(maxBatchSize);
        }
        if (maxQueued != null) {
            b.maxQueuedRequests(maxQueued);
        }
        return b.build();
    }

    static boolean isLoopback(String host) throws UnknownHostException {
        for (InetAddress a : InetAddress.getAllByName(host)) {
            if (!a.isLoopbackAddress()) {
                return false;
            }
        }
        return true;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }
}
