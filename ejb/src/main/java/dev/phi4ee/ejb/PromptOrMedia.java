package dev.phi4ee.ejb;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A request needs something to work on: a non-blank prompt, or at least one media item. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = PromptOrMedia.Validator.class)
public @interface PromptOrMedia {
    String message() default "a request needs a non-blank prompt or at least one media item";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Validator implements ConstraintValidator<PromptOrMedia, Phi4Request> {
        @Override
        public boolean isValid(Phi4Request request, ConstraintValidatorContext context) {
            if (request == null) {
                return true; // @NotNull's job
            }
            boolean prompt = request.getPrompt() != null && !request.getPrompt().isBlank();
            boolean media = request.getMedia() != null && !request.getMedia().isEmpty();
            return prompt || media;
        }
    }
}
