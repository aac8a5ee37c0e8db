package dev.phi4ee.ear.it.routes;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.builder.RouteBuilder;

/** A deployer's route, packaged in a bean archive of the EAR: the Camel host picks it up and runs it. */
@ApplicationScoped
public class ItRoutes extends RouteBuilder {

    @Override
    public void configure() {
        from("direct:it-summarise")
                .routeId("it-summarise")
                .to("phi4:generate?prompt=Summarise: ${body}&maxNewTokens=8")
                .setHeader("summarisedBy", constant("phi4"));
    }
}
