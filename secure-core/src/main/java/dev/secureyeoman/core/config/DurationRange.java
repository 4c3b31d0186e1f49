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

/**
 * The annotated {@link Duration} must lie between {@link #min()} and {@link #max()} inclusive, both ISO-8601 durations
 * ({@code null} is valid; combine with {@code @NotNull}). Configuration durations are ISO-8601 only, so a bare number
 * such as {@code 900000} is refused while binding, and an ISO value beyond the bound (say {@code P10000D} for a token
 * lifetime) is refused here.
 */
@Documented
@Constraint(validatedBy = DurationRange.Validator.class)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
@Retention(RetentionPolicy.RUNTIME)
public @interface DurationRange {

  /**
   * Smallest accepted duration, ISO-8601.
   *
   * @return the lower bound, inclusive
   */
  String min() default "PT0.001S";

  /**
   * Largest accepted duration, ISO-8601.
   *
   * @return the upper bound, inclusive
   */
  String max();

  /**
   * The message.
   *
   * @return the message
   */
  String message() default "must be between {min} and {max}";

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

  /** Checks {@link DurationRange}. */
  final class Validator implements ConstraintValidator<DurationRange, Duration> {
    private Duration min;
    private Duration max;

    /** Creates the validator (instantiated by Hibernate Validator). */
    public Validator() {}

    @Override
    public void initialize(DurationRange range) {
      min = Duration.parse(range.min());
      max = Duration.parse(range.max());
      if (min.compareTo(max) > 0) {
        throw new IllegalArgumentException("DurationRange min " + range.min() + " exceeds max " + range.max());
      }
    }

    @Override
    public boolean isValid(Duration value, ConstraintValidatorContext context) {
      return value == null || (value.compareTo(min) >= 0 && value.compareTo(max) <= 0);
    }
  }
}
