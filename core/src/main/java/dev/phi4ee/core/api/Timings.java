package dev.phi4ee.core.api;

import java.time.Duration;

/** Wall-clock figures of one request, measured from the moment the engine accepted it. */
public record Timings(Duration queued, Duration timeToFirstToken, Duration total, double tokensPerSecond) {}
