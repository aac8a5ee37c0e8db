package dev.phi4ee.camel;

import dev.phi4ee.core.api.ContentPart;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.MediaKind;
import dev.phi4ee.core.api.ModelInfo;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.Timings;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.core.api.TokenUsage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;

/**
 * A stand-in engine for plumbing tests: describes the request's parts as its "generated" text, delivered in chunks
 * from its own thread after a delay, and counts concurrency, so tests can prove that routes do not block.
 */
final class EchoEngine implements Phi4Engine {

    static final int IMAGE_TOKENS = 16;
    static final int AUDIO_TOKENS = 8;

    private final ScheduledExecutorService decodeThread = Executors.newSingleThreadScheduledExecutor();
    private final Duration latency;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile GenerationRequest lastRequest;

    EchoEngine(Duration latency) {
        this.latency = latency;
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    int requests() {
        return requests.get();
    }

    GenerationRequest lastRequest() {
        return lastRequest;
    }

    @Override
    public GenerationHandle stream(GenerationRequest request, TokenListener listener) {
        List<String> words = new ArrayList<>();
        int images = 0;
        int audios = 0;
        for (var message : request.messages()) {
            for (ContentPart part : message.parts()) {
                switch (part) {
                    case ContentPart.Text t -> words.add(message.role().tag() + ":" + t.text());
                    case ContentPart.Image i -> {
                        checkImage(i.media());
                        images++;
                        words.add("image");
                    }
                    case ContentPart.Audio a -> {
                        audios++;
                        words.add("audio");
                    }
                }
            }
        }
        lastRequest = request;
        requests.incrementAndGet();
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        CompletableFuture<GenerationResult> future = new CompletableFuture<>();
        TokenUsage usage = new TokenUsage(
                words.size() + images * IMAGE_TOKENS + audios * AUDIO_TOKENS,
                images * IMAGE_TOKENS,
                audios * AUDIO_TOKENS,
                words.size());
        decodeThread.schedule(
                () -> {
                    for (int i = 0; i < words.size(); i++) {
                        listener.onText(i == 0 ? words.get(i) : " " + words.get(i));
                    }
                    inFlight.decrementAndGet();
                    GenerationResult result = new GenerationResult(
                            String.join(" ", words),
                            FinishReason.STOP,
                            usage,
                            new Timings(Duration.ZERO, latency, latency, words.size() / 0.01),
                            List.of());
                    listener.onComplete(result);
                    future.complete(result);
                },
                latency.toMillis(),
                TimeUnit.MILLISECONDS);
        return new GenerationHandle() {
            @Override
            public CompletableFuture<GenerationResult> result() {
                return future;
            }

            @Override
            public void cancel() {}
        };
    }

    private static void checkImage(Media media) {
        if (media.format().orElseThrow().kind() == MediaKind.DOCUMENT) {
            return;
        }
        try {
            if (ImageIO.read(new ByteArrayInputStream(media.data())) == null) {
                throw new InvalidInputException("cannot decode image " + media.label());
            }
        } catch (IOException e) {
            throw new InvalidInputException("cannot decode image " + media.label(), e);
        }
    }

    @Override
    public Flow.Publisher<String> publish(GenerationRequest request) {
        SubmissionPublisher<String> publisher = new SubmissionPublisher<>();
        stream(request, publisher::submit).result().whenComplete((r, e) -> publisher.close());
        return publisher;
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo(Path.of("echo"), "phi4mm", 4096, 200064, "cpu", "float32", true, true);
    }

    @Override
    public void close() {
        decodeThread.shutdownNow();
    }
}
