package dev.phi4ee.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.camel.Phi4Component;
import dev.phi4ee.camel.Phi4Constants;
import dev.phi4ee.camel.Phi4Endpoint;
import dev.phi4ee.core.api.Phi4Engine;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A Boot application with camel-spring-boot: its phi4:generate route runs on the application's engine bean. */
@SpringBootTest(
        classes = Phi4SpringBootApplicationTest.App.class,
        properties = {
            "phi4.execution-provider=cpu",
            "phi4.max-length=1024",
            "camel.component.phi4.max-output-length=3",
            "camel.component.phi4.system-prompt=Answer briefly."
        })
class Phi4SpringBootApplicationTest {

    @SpringBootApplication
    static class App {
        @Bean
        RouteBuilder askRoute() {
            return new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:ask").to("phi4:generate");
                }
            };
        }
    }

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) {
        registry.add("phi4.model-path", () -> KitModel.directory().toString());
    }

    @Autowired
    Phi4Engine engine;

    @Autowired
    CamelContext camel;

    @Autowired
    ProducerTemplate producer;

    @Test
    void routeGeneratesWithTheSharedEngineAndTheComponentProperties() {
        Exchange reply = producer.request("direct:ask", e -> e.getMessage().setBody("Hello"));

        assertThat(reply.getException()).isNull();
        assertThat(reply.getMessage().getBody()).isInstanceOf(String.class);
        int generated = reply.getMessage().getHeader(Phi4Constants.GENERATED_TOKENS, Integer.class);
        assertThat(generated).isBetween(1, 3); // camel.component.phi4.max-output-length reached the endpoint

        Phi4Component component = camel.getComponent("phi4", Phi4Component.class);
        assertThat(component.getConfiguration().getEngine()).isSameAs(engine);
        Phi4Endpoint endpoint = camel.getEndpoint("phi4:generate", Phi4Endpoint.class);
        assertThat(endpoint.getConfiguration().getSystemPrompt()).isEqualTo("Answer briefly.");
        assertThat(endpoint.getConfiguration().getModelPath()).isNull(); // nothing made the component open a model
    }
}
