package dev.phi4ee.openai.war;

import jakarta.enterprise.inject.spi.CDI;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/**
 * The OpenAI-compatible API on the server's Jakarta REST implementation (RESTEasy in WildFly), under the WAR's
 * context root ({@code /phi4} in phi4-ear): {@code /phi4/v1/models}, {@code /phi4/v1/chat/completions},
 * {@code /phi4/health/*}. The components are singletons built over the shared engine ({@link OpenAiEndpoints}).
 */
@ApplicationPath("/")
public class Phi4OpenAiApplication extends Application {

    /**
     * Deprecated in Jakarta REST 3.1 in favour of CDI-managed resources, yet the one portable way to hand the host
     * instances built with constructor arguments (the same instances {@code phi4 serve} registers with Jersey).
     */
    @Override
    @SuppressWarnings("deprecation")
    public Set<Object> getSingletons() {
        return CDI.current().select(OpenAiEndpoints.class).get().components();
    }
}
