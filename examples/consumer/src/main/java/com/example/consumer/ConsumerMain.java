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
