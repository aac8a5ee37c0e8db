package dev.phi4ee.core.ort.natives;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * phi4-core's dependencies bring the natives of exactly one platform, the one this JVM runs on (the parent pom's
 * {@code natives-*} profiles; docs/decisions/build-native-platform.md), and not every platform's as
 * {@code onnxruntime-platform} would. The same profiles decide what a dependent project resolves; README "Native
 * libraries" has the by-hand check with sizes.
 */
class NativeDependencySetTest {
    /** A JavaCPP jar's file name: artifact-version[-classifier].jar. */
    private static final Pattern JAR =
            Pattern.compile("([a-z]+)-([0-9][^-]*(?:-[0-9][^-]*)*?)(?:-([a-z]+-[a-z0-9_]+(?:-gpu)?))?\\.jar");

    @ParameterizedTest
    @ValueSource(strings = {"onnxruntime", "dnnl", "opencl", "javacpp"})
    void nativesOfThisPlatformOnly(String artifact) throws IOException {
        Set<String> classifiers = classifiersOnClassPath(artifact);
        String platform = Loader.getPlatform();
        // -Pgpu (or -Djavacpp.platform.extension=-gpu) swaps ONNX Runtime's natives for the -gpu build of the platform
        assertThat(classifiers).as("%s natives on the class path", artifact).hasSize(1);
        assertThat(classifiers.iterator().next()).isIn(platform, platform + "-gpu");
    }

    /** The classifiers of the {@code org.bytedeco:artifact} jars this class loader sees (each holds a pom.properties). */
    static Set<String> classifiersOnClassPath(String artifact) throws IOException {
        Set<String> classifiers = new TreeSet<>();
        for (URL url : Collections.list(NativeDependencySetTest.class
                .getClassLoader()
                .getResources("META-INF/maven/org.bytedeco/" + artifact + "/pom.properties"))) {
            String path = url.getPath(); // file:/…/onnxruntime-1.24.1-1.5.13-linux-x86_64.jar!/META-INF/…
            if (!path.contains("!/")) {
                continue; // a reactor module's classes folder, not a jar
            }
            String jarPath = path.substring(0, path.indexOf("!/"));
            Matcher m = JAR.matcher(jarPath.substring(jarPath.lastIndexOf('/') + 1));
            if (m.matches() && m.group(1).equals(artifact) && m.group(3) != null) {
                classifiers.add(m.group(3));
            }
        }
        return classifiers;
    }
}
