package dev.phi4ee.openai;

import java.util.Set;

/**
 * The API's Jakarta REST components, to register as singletons with any host: {@code ResourceConfig.registerInstances}
 * in {@code phi4 serve}, {@code Application.getSingletons} in a WAR.
 */
public final class OpenAiApi {
    private OpenAiApi() {}

    public static Set<Object> components(OpenAiApiConfig config, EngineHolder engines) {
        return Set.of(
                new ChatCompletionsResource(config, engines),
                new HealthResource(engines),
                new ApiKeyFilter(config.apiKeys()),
                new ApiExceptionMapper());
    }
}
