package dev.phi4ee.samples.routes;

/**
 * What the sample routes put in every result.
 *
 * @param maxNewTokens bound of each generation step
 * @param demoModel true when the demo model (random output) is in use
 * @param model the model folder, reported in the results
 */
public record SampleSettings(int maxNewTokens, boolean demoModel, String model) {}
