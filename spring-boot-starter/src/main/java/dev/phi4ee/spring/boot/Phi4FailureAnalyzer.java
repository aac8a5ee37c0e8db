package dev.phi4ee.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a {@link Phi4StartupException} into Spring Boot's startup report instead of a bean-creation stack trace. */
class Phi4FailureAnalyzer extends AbstractFailureAnalyzer<Phi4StartupException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, Phi4StartupException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
    }
}
