package dev.phi4ee.samples.routes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phi4ee.camel.Phi4Constants;
import java.nio.file.Path;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * A folder of scans and PDFs → one JSON file per input with the extracted text and a summary. Two generations per
 * document: the image (or each PDF page) is read once, the summary works on the extracted text.
 */
public final class ScanSummaryRoute extends RouteBuilder {

    static final String EXTRACT_PROMPT = "Extract all the text of this document, in reading order.";
    static final String SUMMARY_PROMPT = "Summarise this document in at most three sentences:\n${body}";

    private final Path input;
    private final Path output;
    private final SampleSettings settings;

    public ScanSummaryRoute(Path input, Path output, SampleSettings settings) {
        this.input = input;
        this.output = output;
        this.settings = settings;
    }

    @Override
    public void configure() {
        String phi4 = "phi4:generate?maxOutputLength=" + settings.maxNewTokens();
        onException(Exception.class).handled(true).process(this::error).to(outputUri());

        from("file:" + input + "?noop=true&include=" + SampleJob.SCANS.include().pattern())
                .routeId("phi4-scans")
                .log("phi4: reading ${file:name}")
                // Prompts travel in a header (a simple expression), not in the URI: they hold ':' and newlines.
                .setHeader(Phi4Constants.PROMPT, constant(EXTRACT_PROMPT))
                .to(phi4)
                .setProperty("extractedText", body())
                .setHeader(Phi4Constants.PROMPT, simple(SUMMARY_PROMPT))
                .to(phi4)
                .removeHeader(Phi4Constants.PROMPT)
                .process(this::result)
                .to(outputUri())
                .log("phi4: wrote ${file:name}");
    }

    private String outputUri() {
        return "file:" + output + "?fileName=${file:onlyname.noext}.json";
    }

    private void result(Exchange exchange) {
        ObjectNode json = ResultFiles.start(exchange, settings);
        json.put("extractedText", exchange.getProperty("extractedText", String.class));
        json.put("summary", exchange.getMessage().getBody(String.class));
        json.put("finishReason", String.valueOf(exchange.getMessage().getHeader(Phi4Constants.FINISH_REASON)));
        exchange.getMessage().setBody(ResultFiles.write(json));
    }

    private void error(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        ObjectNode json = ResultFiles.start(exchange, settings);
        json.put("error", ResultFiles.describe(e));
        exchange.getMessage().setBody(ResultFiles.write(json));
    }
}
