package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.core.config.ConfigViolation;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * Bean Validation of one plugin generation's configuration objects (Hibernate Validator, parameter interpolation only,
 * no EL). One factory per generation: Hibernate Validator caches metadata per class, so a shared factory would keep
 * unloaded plugin classes reachable. Violations are reported as {@code <id>.<snake_case path>: <message>}.
 */
final class ConfigValidation implements AutoCloseable {
  private final ValidatorFactory factory;

  ConfigValidation() {
    this.factory = Validation.byProvider(HibernateValidator.class)
        .configure()
        .messageInterpolator(new ParameterMessageInterpolator(Set.of(Locale.ENGLISH), Locale.ENGLISH, false))
        .buildValidatorFactory();
  }

  List<ConfigViolation> validate(String integrationId, Object config) {
    Set<ConfigViolation> out = new TreeSet<>();
    for (ConstraintViolation<Object> v : factory.getValidator().validate(config)) {
      out.add(new ConfigViolation(path(integrationId, v.getPropertyPath()), v.getMessage()));
    }
    return List.copyOf(out);
  }

  @Override
  public void close() {
    factory.close();
  }

  static String path(String prefix, Path propertyPath) {
    StringBuilder out = new StringBuilder(prefix);
    for (Path.Node node : propertyPath) {
      if (node.getKind() == ElementKind.CONTAINER_ELEMENT) {
        out.append(node.getIndex() != null ? "[" + node.getIndex() + "]" : node.getKey() != null ? "." + node.getKey() : "");
      } else if (node.getName() != null) {
        if (node.isInIterable() && node.getIndex() != null) {
          out.append('[').append(node.getIndex()).append(']');
        }
        out.append('.').append(snake(node.getName()));
      }
    }
    return out.toString();
  }

  static String snake(String camel) {
    StringBuilder sb = new StringBuilder(camel.length() + 4);
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c)) {
        sb.append(i > 0 ? "_" : "").append(Character.toLowerCase(c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
