package dev.phi4ee.samples.routes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phi4ee.camel.Phi4Constants;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * A folder of call recordings → one JSON file per call with transcript, summary and sentiment. The recording is
 * heard once (transcription); summary and sentiment work on the transcript.
 */
public final class CallAnalysisRoute extends RouteBuilder {

    static final String TRANSCRIBE_PROMPT = "Transcribe the audio clip into text.";
    static final String SUMMARY_PROMPT = "Summarise this phone call in two sentences:\n${exchangeProperty.transcript}";
    static final String SENTIMENT_PROMPT = "What is the caller's sentiment in this call? Answer with one word:"
            + " positive, neutral or negative.\n${exchangeProperty.transcript}";

    private final Path input;
    private final Path output;
    private final SampleSettings settings;

    public CallAnalysisRoute(Path input, Path output, SampleSettings settings) {
        this.input = input;
        this.output = output;
        this.settings = settings;
    }

    @Override
    public void configure() {
        String phi4 = "phi4:generate?maxOutputLength=" + settings.maxNewTokens();
        onException(Exception.class).handled(true).process(this::error).to(outputUri());

        from("file:" + input + "?noop=true&include=" + SampleJob.CALLS.include().pattern())
                .routeId("phi4-calls")
                .log("phi4: listening to ${file:name}")
                .setHeader(Phi4Constants.PROMPT, constant(TRANSCRIBE_PROMPT))
                .to(phi4)
                .setProperty("transcript", body())
                .setHeader(Phi4Constants.PROMPT, simple(SUMMARY_PROMPT))
                .to(phi4)
                .setProperty("summary", body())
                .setHeader(Phi4Constants.PROMPT, simple(SENTIMENT_PROMPT))
                .to("phi4:generate?maxOutputLength=8")
                .removeHeader(Phi4Constants.PROMPT)
                .process(this::result)
                .to(outputUri())
                .log("phi4: wrote ${file:onlyname.noext}.json");
    }

    private String outputUri() {
        return "file:" + output + "?fileName=${file:onlyname.noext}.json";
    }

    private void result(Exchange exchange) {
        String answer = exchange.getMessage().getBody(String.class);
        ObjectNode json = ResultFiles.start(exchange, settings);
        json.put("transcript", exchange.getProperty("transcript", String.class));
        json.put("summary", exchange.getProperty("summary", String.class));
        json.put("sentiment", sentiment(answer));
        json.put("sentimentAnswer", answer);
        exchange.getMessage().setBody(ResultFiles.write(json));
    }

    /** The first of positive / negative / neutral named in the answer; {@code unknown} when none is. */
    static String sentiment(String answer) {
        String a = answer == null ? "" : answer.toLowerCase(Locale.ROOT);
        int best = Integer.MAX_VALUE;
        String found = "unknown";
        for (String label : new String[] {"positive", "negative", "neutral"}) {
            int at = a.indexOf(label);
            if (at >= 0 && at < best) {
                best = at;
                found = label;
            }
        }
        return found;
    }

    private void error(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        ObjectNode json = ResultFiles.start(exchange, settings);
        json.put("error", ResultFiles.describe(e));
        exchange.getMessage().setBody(ResultFiles.write(json));
    }
}
