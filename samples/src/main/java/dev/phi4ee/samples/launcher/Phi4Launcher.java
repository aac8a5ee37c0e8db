package dev.phi4ee.samples.launcher;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Main class of {@code phi4.jar}. Compiled for Java 8 (a separate compiler execution in samples/pom.xml) so that an
 * older {@code java} runs it and prints what to do, instead of failing with {@code UnsupportedClassVersionError} on
 * the real command-line class, which is Java 21 bytecode. On Java 21+ it hands over to {@link #CLI} by reflection:
 * a direct reference would make this class fail to load on the old JVM. Java 8 API only in this class.
 */
public final class Phi4Launcher {
    static final int REQUIRED_JAVA = 21;
    static final String CLI = "dev.phi4ee.samples.cli.Phi4Cli";

    private Phi4Launcher() {}

    public static void main(String[] args) throws Throwable {
        String advice = advice(System.getProperty("java.specification.version"), System.getProperty("java.home"));
        if (advice != null) {
            System.err.println(advice);
            System.exit(1);
        }
        Method main = Class.forName(CLI).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The one line to print when {@code specVersion} is too old, else null. */
    static String advice(String specVersion, String javaHome) {
        int feature = featureVersion(specVersion);
        if (feature >= REQUIRED_JAVA) {
            return null;
        }
        return "phi4 needs Java " + REQUIRED_JAVA + " or newer; this is Java " + specVersion + " (" + javaHome
                + "). Run it with a JDK " + REQUIRED_JAVA + "+: /path/to/jdk21+/bin/java -jar phi4.jar ...";
    }

    /**
     * The feature release of a {@code java.specification.version} value: "1.8" → 8, "17" → 17. An unreadable value
     * counts as new enough, so that an unexpected format never blocks a working JVM.
     */
    static int featureVersion(String specVersion) {
        if (specVersion == null) {
            return Integer.MAX_VALUE;
        }
        String v = specVersion.startsWith("1.") ? specVersion.substring(2) : specVersion;
        int dot = v.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? v : v.substring(0, dot));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }
}
