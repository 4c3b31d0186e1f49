package dev.secureyeoman.core.internal;

import dev.secureyeoman.core.MissingDependencyException;
import java.util.ArrayList;
import java.util.List;

/**
 * The optional third-party libraries of secure-core, grouped by the feature that needs them, and the presence check
 * that every entry point of such a feature runs <em>before</em> it touches a class of those libraries.
 *
 * <p>The classes that use a library directly ({@code ConfigBinder}, {@code YamlTreeReader}, {@code Argon2idBc},
 * {@code KillSwitchJson}) are loaded only after the check passed: the JVM verifier loads referenced classes while it
 * links a class, so a check inside the class that references them would come too late.
 */
public final class OptionalDependencies {
  private OptionalDependencies() {}

  private static final Library SNAKEYAML =
      new Library("org.yaml:snakeyaml", "org.yaml.snakeyaml.LoaderOptions", "org.yaml.snakeyaml");
  private static final Library JACKSON =
      new Library(
          "com.fasterxml.jackson.core:jackson-databind",
          "com.fasterxml.jackson.databind.ObjectMapper",
          "com.fasterxml.jackson.databind");
  private static final Library JACKSON_JSR310 =
      new Library(
          "com.fasterxml.jackson.datatype:jackson-datatype-jsr310",
          "com.fasterxml.jackson.datatype.jsr310.JavaTimeModule",
          "com.fasterxml.jackson.datatype.jsr310");
  private static final Library VALIDATION_API =
      new Library("jakarta.validation:jakarta.validation-api", "jakarta.validation.Validation", "jakarta.validation");
  private static final Library HIBERNATE_VALIDATOR =
      new Library(
          "org.hibernate.validator:hibernate-validator",
          "org.hibernate.validator.HibernateValidator",
          "org.hibernate.validator");
  private static final Library BOUNCY_CASTLE =
      new Library(
          "org.bouncycastle:bcprov-jdk18on",
          "org.bouncycastle.crypto.generators.Argon2BytesGenerator",
          "org.bouncycastle.provider");

  /** {@code EncryptedConfigLoader}: parsing, binding and validating YAML (decryption alone needs none of them). */
  public static final Feature CONFIG =
      new Feature(
          "YAML configuration (EncryptedConfigLoader)",
          List.of(SNAKEYAML, JACKSON, JACKSON_JSR310, VALIDATION_API, HIBERNATE_VALIDATOR));

  /** {@code Argon2id}: passphrase keys of envelopes and password hashes. */
  public static final Feature ARGON2 =
      new Feature("Argon2id (passphrase keys, password hashes)", List.of(BOUNCY_CASTLE));

  /** {@code KillSwitch}: its JSON state file. */
  public static final Feature KILL_SWITCH = new Feature("KillSwitch", List.of(JACKSON));

  /** A library: Maven coordinates, a class that proves it is there, and its JPMS module name. */
  record Library(String coordinates, String probeClass, String moduleName) {}

  /** A feature of secure-core and the libraries it needs. */
  public static final class Feature {
    private final String name;
    private final List<Library> libraries;
    private volatile boolean present;

    Feature(String name, List<Library> libraries) {
      this.name = name;
      this.libraries = libraries;
    }

    /**
     * Returns normally when every library of the feature can be used from secure-core.
     *
     * @throws MissingDependencyException naming every missing library and how to add it
     */
    public void require() {
      MissingDependencyException e = missing();
      if (e != null) {
        throw e;
      }
    }

    /**
     * Returns the exception {@link #require()} would throw, or {@code null} when the feature is usable.
     *
     * @return the problem, or null
     */
    public MissingDependencyException missing() {
      if (present) {
        return null;
      }
      Module core = OptionalDependencies.class.getModule();
      List<String> absent = new ArrayList<>();
      List<String> unreadable = new ArrayList<>();
      for (Library lib : libraries) {
        Class<?> c;
        try {
          c = Class.forName(lib.probeClass(), false, OptionalDependencies.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
          absent.add(lib.coordinates());
          continue;
        }
        if (core.isNamed() && !core.canRead(c.getModule())) {
          unreadable.add(lib.coordinates());
        }
      }
      if (absent.isEmpty() && unreadable.isEmpty()) {
        present = true;
        return null;
      }
      List<String> all = new ArrayList<>(absent);
      all.addAll(unreadable);
      String detail;
      if (!absent.isEmpty()) {
        detail =
            "add to the application's dependencies (on the module path, also resolve "
                + modules(absent)
                + ": a `requires` in the application's module, or --add-modules)";
      } else {
        detail =
            "present but not readable by dev.secureyeoman.core: put on the module path and resolve "
                + modules(unreadable)
                + " (a `requires` in the application's module, or --add-modules)";
      }
      return new MissingDependencyException(name, all, detail);
    }

    private String modules(List<String> coordinates) {
      List<String> names = new ArrayList<>();
      for (Library lib : libraries) {
        if (coordinates.contains(lib.coordinates())) {
          names.add(lib.moduleName());
        }
      }
      return String.join(", ", names);
    }
  }
}
