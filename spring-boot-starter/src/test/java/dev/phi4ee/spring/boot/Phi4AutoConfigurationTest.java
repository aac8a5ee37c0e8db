package dev.phi4ee.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.EngineClosedException;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Phi4Engine;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The engine bean: opened from phi4.* properties, shared, closed with the context; clear failures otherwise. */
class Phi4AutoConfigurationTest {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(Phi4AutoConfiguration.class));

    @Test
    void engineFromPropertiesGeneratesAndIsClosedWithTheContext() {
        Phi4Engine[] seen = new Phi4Engine[1];
        runner.withPropertyValues(
                        "phi4.model-path=" + KitModel.directory(),
                        "phi4.execution-provider=cpu",
                        "phi4.max-length=1024",
                        "phi4.max-batch-size=2")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(Phi4Engine.class);
                    Phi4Engine engine = context.getBean(Phi4Engine.class);
                    seen[0] = engine;
                    assertThat(engine.info().directory()).isEqualTo(KitModel.directory());
                    assertThat(engine.info().executionProvider()).isEqualToIgnoringCase("cpu");
                    assertThat(engine.info().maxLength()).isEqualTo(1024);

                    GenerationResult result = engine.generate(GenerationRequest.builder()
                            .user("Hello")
                            .options(GenerationOptions.builder().maxNewTokens(4).build())
                            .build());
                    assertThat(result.usage().generatedTokens()).isBetween(1, 4);
                    assertThat(result.tokenIds()).isNotEmpty();
                });
        // the runner closed the context: the engine must refuse work now
        assertThatThrownBy(() -> seen[0].generate(GenerationRequest.of("Hello")))
                .isInstanceOf(EngineClosedException.class);
    }

    @Test
    void missingModelPathFailsTheStartNamingTheProperty() {
        runner.run(context -> {
            assertThat(context).hasFailed();
            Phi4StartupException failure = rootStartupException(context.getStartupFailure());
            assertThat(failure.getMessage()).contains("phi4.model-path is not set");
            FailureAnalysis analysis = new Phi4FailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("phi4.model-path");
            assertThat(analysis.getAction()).contains("phi4.model-path").contains("phi4.demo-model.enabled");
        });
    }

    @Test
    void folderWithoutAModelFailsTheStartNamingTheFolder(@TempDir Path empty) {
        runner.withPropertyValues("phi4.model-path=" + empty, "phi4.execution-provider=cpu")
                .run(context -> {
                    assertThat(context).hasFailed();
                    Phi4StartupException failure = rootStartupException(context.getStartupFailure());
                    assertThat(failure.getMessage())
                            .contains(empty.toAbsolutePath().toString());
                    assertThat(failure.action()).contains("phi4.model-path");
                });
    }

    @Test
    void invalidSettingNamesItsProperty() {
        runner.withPropertyValues("phi4.model-path=" + KitModel.directory(), "phi4.max-batch-size=0")
                .run(context -> {
                    Phi4StartupException failure = rootStartupException(context.getStartupFailure());
                    assertThat(failure.getMessage()).contains("maxBatchSize must be >= 1, was 0");
                    assertThat(failure.action()).isEqualTo("Correct phi4.max-batch-size.");
                });
    }

    @Test
    void theApplicationsOwnEngineWins() {
        runner.withUserConfiguration(OwnEngine.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(Phi4Engine.class);
            assertThat(context.getBean(Phi4Engine.class)).isSameAs(OwnEngine.ENGINE);
        });
    }

    @Test
    void demoModelIsWrittenOnceAndOpened(@TempDir Path cache) {
        Path dir = cache.resolve("demo");
        runner.withPropertyValues(
                        "phi4.demo-model.enabled=true",
                        "phi4.demo-model.directory=" + dir,
                        "phi4.execution-provider=cpu",
                        "phi4.max-length=512")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(Phi4Engine.class).info().directory())
                            .isEqualTo(dir);
                    assertThat(dir.resolve(".phi4-demo-model-complete")).isRegularFile();
                });
    }

    @Test
    void modelPathAndDemoModelTogetherAreRejected() {
        runner.withPropertyValues("phi4.model-path=" + KitModel.directory(), "phi4.demo-model.enabled=true")
                .run(context -> assertThat(rootStartupException(context.getStartupFailure())
                                .action())
                        .contains("phi4.demo-model.enabled"));
    }

    @Test
    void propertyNamesAreDerivedFromTheEngineMessages() {
        assertThat(Phi4AutoConfiguration.propertyNamed("maxPageRenderTime must be positive"))
                .isEqualTo("phi4.max-page-render-time");
        assertThat(Phi4AutoConfiguration.propertyNamed("executionProvider must be auto, cpu"))
                .isEqualTo("phi4.execution-provider");
    }

    private static Phi4StartupException rootStartupException(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof Phi4StartupException p) {
                return p;
            }
        }
        throw new AssertionError("no Phi4StartupException in " + failure, failure);
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnEngine {
        static final Phi4Engine ENGINE = (Phi4Engine) Proxy.newProxyInstance(
                Phi4Engine.class.getClassLoader(), new Class<?>[] {Phi4Engine.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "close" -> {
                            return null;
                        }
                        case "hashCode" -> {
                            return System.identityHashCode(proxy);
                        }
                        case "equals" -> {
                            return proxy == args[0];
                        }
                        case "toString" -> {
                            return "an application's own engine";
                        }
                        default -> {}
                    }
                    throw new UnsupportedOperationException(method.getName());
                });

        @Bean
        Phi4Engine myEngine() {
            return ENGINE;
        }
    }
}
