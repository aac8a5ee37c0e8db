package dev.phi4ee.spring.boot;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.Phi4Exception;
import dev.phi4ee.testkit.DemoModel;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * The application's one {@link Phi4Engine}, opened at startup from the {@code phi4.*} properties (a wrong model path
 * fails the start, not the first request) and closed with the context. An application that defines its own {@code
 * Phi4Engine} bean gets none from here.
 */
@AutoConfiguration
@EnableConfigurationProperties(Phi4Properties.class)
public class Phi4AutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(Phi4AutoConfiguration.class);
    private static final Pattern SETTING = Pattern.compile("^(\\w+) ");

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Phi4Engine phi4Engine(Phi4Properties properties) {
        EngineOptions options;
        try {
            options = properties.toEngineOptions();
        } catch (IllegalArgumentException e) {
            throw new Phi4StartupException(
                    "Invalid phi4 property: " + e.getMessage(), "Correct " + propertyNamed(e.getMessage()) + ".", e);
        }
        Path model = modelDirectory(properties);
        try {
            return Phi4Engine.open(model, options); // it logs the provider and the KV cache plan
        } catch (Phi4Exception e) {
            throw new Phi4StartupException(
                    "The Phi-4 model in " + model.toAbsolutePath() + " cannot be opened: " + e.getMessage(),
                    "Check phi4.model-path (a folder of Phi-4-multimodal-instruct-onnx, e.g. its"
                            + " cpu-int4-rtn-block-32 folder) and phi4.execution-provider.",
                    e);
        }
    }

    private static Path modelDirectory(Phi4Properties properties) {
        Phi4Properties.DemoModel demo = properties.getDemoModel();
        if (properties.getModelPath() != null) {
            if (demo.isEnabled()) {
                throw new Phi4StartupException(
                        "Both phi4.model-path and phi4.demo-model.enabled=true are set.",
                        "Remove phi4.demo-model.enabled to use the model in phi4.model-path.",
                        null);
            }
            return properties.getModelPath();
        }
        if (!demo.isEnabled()) {
            throw new Phi4StartupException(
                    "No Phi-4 model configured: phi4.model-path is not set.",
                    "Set phi4.model-path to the folder of Phi-4-multimodal-instruct-onnx (e.g. its"
                            + " cpu-int4-rtn-block-32 folder), or phi4.demo-model.enabled=true to try the wiring with"
                            + " a model of random weights.",
                    null);
        }
        // phi4-testkit is an optional dependency: DemoModel is resolved only once this check has passed.
        if (!ClassUtils.isPresent("dev.phi4ee.testkit.DemoModel", Phi4AutoConfiguration.class.getClassLoader())) {
            throw new Phi4StartupException(
                    "phi4.demo-model.enabled=true, but the test kit that writes the demo model is not on the class"
                            + " path.",
                    "Add the dependency dev.phi4ee:phi4-testkit, or set phi4.model-path to a real model folder.",
                    null);
        }
        Path dir =
                DemoModel.materialize(demo.getDirectory() != null ? demo.getDirectory() : DemoModel.defaultDirectory());
        LOG.warn("**********************************************************************************");
        LOG.warn("* DEMO MODEL at {}", dir);
        LOG.warn("* Its weights are RANDOM: every code path is real, the generated text is NOISE.");
        LOG.warn("* For real output set phi4.model-path to a folder of Phi-4-multimodal-instruct-onnx.");
        LOG.warn("**********************************************************************************");
        return dir;
    }

    /** {@code maxBatchSize must be >= 1} → {@code phi4.max-batch-size}. */
    static String propertyNamed(String message) {
        Matcher m = SETTING.matcher(message == null ? "" : message);
        if (!m.find()) {
            return "the phi4.* properties";
        }
        return "phi4." + m.group(1).replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
