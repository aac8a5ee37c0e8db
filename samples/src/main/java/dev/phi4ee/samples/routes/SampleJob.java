package dev.phi4ee.samples.routes;

import java.nio.file.Path;
import java.util.regex.Pattern;
import org.apache.camel.builder.RouteBuilder;

/** A sample folder job: which files it takes and the route that turns each into a JSON result. */
public enum SampleJob {
    /** Scans, photos of documents and PDFs → extracted text + summary. */
    SCANS("(?i).*\\.(pdf|png|jpe?g|tiff?|gif|bmp|webp)"),
    /** Call recordings → transcript + summary + sentiment. */
    CALLS("(?i).*\\.(wav|flac|mp3)");

    private final Pattern include;

    SampleJob(String include) {
        this.include = Pattern.compile(include);
    }

    public Pattern include() {
        return include;
    }

    public RouteBuilder route(Path input, Path output, SampleSettings settings) {
        return switch (this) {
            case SCANS -> new ScanSummaryRoute(input, output, settings);
            case CALLS -> new CallAnalysisRoute(input, output, settings);
        };
    }
}
