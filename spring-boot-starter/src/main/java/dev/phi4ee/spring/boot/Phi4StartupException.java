package dev.phi4ee.spring.boot;

/**
 * The shared engine cannot be opened from the {@code phi4.*} properties. Spring Boot prints it as an "APPLICATION
 * FAILED TO START" report through {@link Phi4FailureAnalyzer}: what is wrong, and which property to set.
 */
public class Phi4StartupException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String action;

    public Phi4StartupException(String description, String action, Throwable cause) {
        super(description, cause);
        this.action = action;
    }

    /** What the user should change, in the words of the properties. */
    public String action() {
        return action;
    }
}
