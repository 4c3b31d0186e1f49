package dev.secureyeoman.core.config;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;

/** The annotated {@link Duration} must be strictly positive ({@code null} is valid; combine with {@code @NotNull}). */
@Documented
@Constraint(validatedBy = PositiveDuration.Validator.class)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
@Retention(RetentionPolicy.RUNTIME)
public @interface PositiveDuration {

  /**
   * The message.
   *
   * @return the message
   */
  String message() default "must be a positive duration";

  /**
   * Validation groups.
   *
   * @return groups
   */
  Class<?>[] groups() default {};

  /**
   * Payload.
   *
   * @return payload
   */
  Class<? extends Payload>[] payload() default {};

  /** Checks {@link PositiveDuration}. */
  final class Validator implements ConstraintValidator<PositiveDuration, Duration> {
    /** Creates the validator (instantiated by Hibernate Validator). */
    public Validator() {}

    @Override
    public boolean isValid(Duration value, ConstraintValidatorContext context) {
      return value == null || (!value.isNegative() && !value.isZero());
    }
  }
}
