package dev.phi4ee.openai;

import java.util.Set;

/**
 * The API's Jakarta REST components, to register as singletons with any host: {@code ResourceConfig.registerInstances}
 * in {@code phi4 serve}, {@code Application.getSingletons} in a WAR.
 */
public final class OpenAiApi {
    private OpenAiApi() {}

    public static Set<Object> components(OpenAiApiConfig config, EngineHolder engines) {
        return components(config, engines, ApiMetrics.none());
    }

    /** The components, metering chat completions into {@code metrics}. */
    public static Set<Object> components(OpenAiApiConfig config, EngineHolder engines, ApiMetrics metrics) {
        return Set.of(
                new ChatCompletionsResource(config, engines, metrics),
                new HealthResource(engines),
                new ApiKeyFilter(config.apiKeys()),
                new ApiExceptionMapper());
    }
}
