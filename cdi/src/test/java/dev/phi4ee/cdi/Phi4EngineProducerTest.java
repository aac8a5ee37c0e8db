package dev.phi4ee.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.EngineClosedException;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.jboss.weld.proxy.WeldClientProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Plain Weld SE finds the producer through the jar's beans.xml and injects one engine, closed at shutdown. */
class Phi4EngineProducerTest {

    @ApplicationScoped
    static class Summariser {
        @Inject
        Phi4Engine engine;

        Phi4Engine engine() {
            return engine;
        }

        String reply(String prompt) {
            return engine.generate(GenerationRequest.builder()
                            .user(prompt)
                            .options(GenerationOptions.builder().maxNewTokens(3).build())
                            .build())
                    .text();
        }
    }

    @AfterEach
    void forgetSettings() {
        System.clearProperty(Phi4Settings.MODEL_PATH);
        ConfigProviderResolver.instance().releaseConfig(ConfigProvider.getConfig()); // read system properties anew
    }

    @Test
    void injectsOneEngineFromMicroProfileConfigAndClosesItAtShutdown() {
        System.setProperty(
                Phi4Settings.MODEL_PATH,
                Phi4TestModels.shared(TestModelSpec.defaults()).toString());
        Phi4Engine opened;
        try (WeldContainer container = new Weld().addBeanClass(Summariser.class).initialize()) {
            Summariser summariser = container.select(Summariser.class).get();
            assertThat(summariser.reply("Hello")).isNotNull();

            Phi4Engine injected = container.select(Phi4Engine.class).get();
            opened = (Phi4Engine) ((WeldClientProxy) injected).getMetadata().getContextualInstance();
            Phi4Engine other = (Phi4Engine)
                    ((WeldClientProxy) summariser.engine()).getMetadata().getContextualInstance();
            assertThat(other).isSameAs(opened);
            assertThat(opened.info().maxLength()).isEqualTo(768); // from META-INF/microprofile-config.properties
            assertThat(opened.info().executionProvider()).isEqualToIgnoringCase("cpu");
        }
        assertThatThrownBy(() -> opened.generate(GenerationRequest.of("Hello")))
                .isInstanceOf(EngineClosedException.class);
    }

    @Test
    void missingModelPathFailsTheContainerStartNamingTheSetting() {
        assertThatThrownBy(() -> new Weld().initialize().close())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no model directory configured: set phi4.modelPath")
                .hasMessageContaining("PHI4_MODEL_PATH");
    }
}
