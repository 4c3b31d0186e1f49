package com.example.consumer;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.SecretStore;
import dev.secureyeoman.core.crypto.SecretStores;
import dev.secureyeoman.release.Commit;
import dev.secureyeoman.release.CommitMessage;
import dev.secureyeoman.release.Person;
import dev.secureyeoman.release.ReleaseNotes;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;

/** A host application using two SecureYeoman modules from the published artifacts; exits 1 on any mismatch. */
public final class ConsumerMain {
  private ConsumerMain() {}

  public static void main(String[] args) throws Exception {
    // secure-core: AES-256-GCM envelope round trip, associated data enforced
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    SecretStore store = SecretStores.withKey(SecretBytes.copyOf(raw));
    byte[] aad = "consumer:v1".getBytes(StandardCharsets.UTF_8);
    byte[] envelope = store.encrypt("hello".getBytes(StandardCharsets.UTF_8), aad);
    check(Arrays.equals("hello".getBytes(StandardCharsets.UTF_8), store.decrypt(envelope, aad)), "envelope round trip");
    boolean rejected;
    try {
      store.decrypt(envelope, "other".getBytes(StandardCharsets.UTF_8));
      rejected = false;
    } catch (dev.secureyeoman.core.crypto.EnvelopeException expected) {
      rejected = true;
    }
    check(rejected, "wrong associated data rejected");
    // (issue 20) the envelope-only host pulls none of secure-core's optional libraries, and parsing says so clearly
    for (String absent :
        new String[] {
          "org.yaml.snakeyaml.Yaml", "com.fasterxml.jackson.databind.ObjectMapper",
          "org.hibernate.validator.HibernateValidator", "org.bouncycastle.crypto.generators.Argon2BytesGenerator"
        }) {
      check(!onClassPath(absent), "optional library not pulled by secure-core: " + absent);
    }
    String parse;
    try {
      dev.secureyeoman.core.config.EncryptedConfigLoader.builder().build().parseSecurityConfig("security: {}\n");
      parse = "parsed";
    } catch (dev.secureyeoman.core.config.ConfigException e) {
      parse = e.getMessage();
    }
    check(parse.contains("org.yaml:snakeyaml"), "config parsing names its missing libraries: " + parse);

    // secure-release: parse and render
    CommitMessage m = CommitMessage.parse("feat(api)!: new endpoint (#7)");
    check(m.isBreaking() && m.type().orElseThrow().equals("feat"), "conventional commit parsed");
    String md =
        ReleaseNotes.builder()
            .title("v1.0.0")
            .date(LocalDate.of(2026, 11, 24))
            .commits(List.of(new Commit("0123456789abcdef0123456789abcdef01234567", new Person("Ada", "a@x"), Instant.EPOCH, m)))
            .build()
            .toMarkdown();
    check(md.startsWith("## v1.0.0 (2026-11-24)\n\n### Breaking changes\n"), "markdown rendered");

    System.out.println("consumer: secure-core from " + location(SecretStores.class));
    System.out.println("consumer: secure-release from " + location(CommitMessage.class));
    System.out.println("consumer: OK");
  }

  private static boolean onClassPath(String name) {
    try {
      Class.forName(name, false, ConsumerMain.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static String location(Class<?> c) {
    return c.getProtectionDomain().getCodeSource().getLocation().getPath();
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      System.err.println("consumer: FAILED " + what);
      System.exit(1);
    }
  }
}
