package dev.phi4ee.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/** What a user sees when the model is not configured: Boot's failure report, no bean-creation stack trace. */
@ExtendWith(OutputCaptureExtension.class)
class Phi4StartupFailureTest {

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(Phi4AutoConfiguration.class)
    static class App {}

    @Test
    void missingModelPathIsReportedWithWhatToSet(CapturedOutput output) {
        SpringApplication app = new SpringApplication(App.class);
        assertThatThrownBy(() -> app.run("--spring.main.banner-mode=off"))
                .hasRootCauseInstanceOf(Phi4StartupException.class);
        assertThat(output)
                .contains("APPLICATION FAILED TO START")
                .contains("No Phi-4 model configured: phi4.model-path is not set.")
                .contains("Set phi4.model-path to the folder of Phi-4-multimodal-instruct-onnx");
    }
}
