package dev.phi4ee.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.core.api.ToolCall;
import dev.phi4ee.core.api.ToolCallMarkup;
import dev.phi4ee.core.api.ToolCallStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One streamed completion: the engine's decode thread queues events (never blocking), the HTTP thread writes them as
 * server-sent events ({@code data: {chunk}} lines, then {@code data: [DONE]}) and flushes each. A failed write means
 * the client went away: the generation is cancelled at once so its batch slot serves someone else.
 */
final class SseStream implements TokenListener {
    /** An SSE comment sent after this much silence (long prefill): keeps proxies open, detects gone clients. */
    private static final long KEEP_ALIVE_SECONDS = 15;

    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

    private sealed interface Event {}

    private record Text(String delta) implements Event {}

    private record Done(GenerationResult result) implements Event {}

    private record Failed(Throwable error) implements Event {}

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final ChatResponses responses;
    private final boolean includeUsage;
    private final ToolCallMarkup markup; // null when the request has no tools: the text goes out as it is
    private final ToolCallStream calls; // the calls inside the markup, streamed as they are written
    private volatile GenerationHandle handle;

    /** @param withTools the request has tools: tool-call markup is kept out of the content deltas */
    SseStream(ChatResponses responses, boolean includeUsage, boolean withTools) {
        this.responses = responses;
        this.includeUsage = includeUsage;
        this.calls = withTools ? new ToolCallStream() : null;
        this.markup = withTools ? new ToolCallMarkup(calls) : null;
    }

    void attach(GenerationHandle handle) {
        this.handle = handle;
    }

    @Override
    public void onText(String delta) {
        events.add(new Text(delta));
    }

    @Override
    public void onComplete(GenerationResult result) {
        events.add(new Done(result));
    }

    @Override
    public void onError(Throwable error) {
        events.add(new Failed(error));
    }

    /** Writes the whole stream; returns when the generation has ended or the client is gone. */
    void writeTo(OutputStream out) throws IOException {
        try {
            send(out, responses.roleChunk(includeUsage));
            while (true) {
                Event event = events.poll(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
                if (event == null) {
                    out.write(KEEP_ALIVE);
                    out.flush();
                } else if (event instanceof Text t) {
                    if (markup == null) {
                        sendContent(out, t.delta());
                    } else { // text after a call's block goes after that call's last pieces
                        markup.accept(t.delta(), text -> {
                            try {
                                sendCalls(out);
                                sendContent(out, text);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
                        sendCalls(out);
                    }
                } else if (event instanceof Done d) {
                    if (markup != null) {
                        sendContent(out, markup.finish());
                        sendCalls(out);
                        List<ToolCall> rest = calls.rest(d.result().toolCalls());
                        if (!rest.isEmpty()) {
                            int first = d.result().toolCalls().size() - rest.size();
                            send(out, responses.toolCallsChunk(rest, first, includeUsage));
                        }
                    }
                    send(out, responses.finishChunk(d.result().finishReason(), includeUsage));
                    if (includeUsage) {
                        send(out, responses.usageChunk(d.result().usage()));
                    }
                    out.write(DONE);
                    out.flush();
                    return;
                } else if (event instanceof Failed f) {
                    // Headers are sent already; OpenAI's clients read an error object in the stream.
                    send(out, ErrorMapping.body(ErrorMapping.map(f.error())));
                    return;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // The client went away: the normal end of an abandoned stream, not a server error to report.
            cancel();
        } catch (RuntimeException e) {
            cancel();
            throw e;
        } catch (InterruptedException e) {
            cancel();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while streaming", e);
        }
    }

    private void cancel() {
        GenerationHandle h = handle;
        if (h != null) {
            h.cancel();
        }
    }

    private void sendContent(OutputStream out, String text) throws IOException {
        if (!text.isEmpty()) {
            send(out, responses.contentChunk(text, includeUsage));
        }
    }

    private void sendCalls(OutputStream out) throws IOException {
        if (calls == null) {
            return;
        }
        for (ToolCallStream.Event e : calls.drain()) {
            switch (e) {
                case ToolCallStream.Start s ->
                    send(out, responses.toolCallStartChunk(s.index(), s.name(), includeUsage));
                case ToolCallStream.Arguments a ->
                    send(out, responses.toolCallArgumentsChunk(a.index(), a.text(), includeUsage));
                case ToolCallStream.Complete c -> {} // OpenAI's stream has no end of a call: the next one's start
            }
        }
    }

    private static void send(OutputStream out, JsonNode node) throws IOException {
        out.write(("data: " + Json.write(node) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
