package dev.secureyeoman.benchmarks;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.Argon2idParameters;
import dev.secureyeoman.core.crypto.EnvelopeCipher;
import dev.secureyeoman.core.crypto.EnvelopeException;
import dev.secureyeoman.core.crypto.RecipientKey;
import dev.secureyeoman.core.crypto.SecretStore;
import dev.secureyeoman.core.crypto.SecretStores;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Questions: (1) what does the SecretStore envelope (fresh data key, key wrap, header authentication) cost over a raw
 * JDK AES-256-GCM encrypt+decrypt of the same 4 KiB config (target ≤ 1.2×)? (2) how long does Argon2id take at
 * {@link Argon2idParameters#DEFAULT} (64 MiB, t=3, p=4), through the envelope and through Bouncy Castle directly?
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar EnvelopeBenchmark -f 1 -wi 2 -i 3 -w 1 -r 1}
 */
@State(Scope.Benchmark)
public class EnvelopeBenchmark {
  private static final byte[] AAD = "secureyeoman:config:v1".getBytes(StandardCharsets.US_ASCII);

  private final SecureRandom random = new SecureRandom();
  private byte[] plaintext;
  private byte[] rawKey;
  private SecretKeySpec rawKeySpec;
  private SecretStore store;
  private EnvelopeCipher cipher;
  private RecipientKey passphrase;
  private byte[] salt;

  /** Creates a 4 KiB config-like plaintext and the keys. */
  @Setup
  public void setup() {
    StringBuilder yaml = new StringBuilder();
    while (yaml.length() < 4096) {
      yaml.append("security:\n  audit:\n    retention_days: 90\n    db_path: data/audit.db\n");
    }
    plaintext = yaml.substring(0, 4096).getBytes(StandardCharsets.UTF_8);
    rawKey = new byte[32];
    random.nextBytes(rawKey);
    rawKeySpec = new SecretKeySpec(rawKey, "AES");
    store = SecretStores.withKey(SecretBytes.copyOf(rawKey));
    cipher = EnvelopeCipher.create();
    passphrase = RecipientKey.passphrase("correct horse battery staple".toCharArray());
    salt = new byte[16];
    random.nextBytes(salt);
  }

  /**
   * Baseline: JDK AES-256-GCM encrypt then decrypt of 4 KiB with a random nonce.
   *
   * @return the decrypted bytes
   * @throws GeneralSecurityException never
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public byte[] rawJdkAesGcm4KiB() throws GeneralSecurityException {
    byte[] nonce = new byte[12];
    random.nextBytes(nonce);
    Cipher enc = Cipher.getInstance("AES/GCM/NoPadding");
    enc.init(Cipher.ENCRYPT_MODE, rawKeySpec, new GCMParameterSpec(128, nonce));
    enc.updateAAD(AAD);
    byte[] ct = enc.doFinal(plaintext);
    Cipher dec = Cipher.getInstance("AES/GCM/NoPadding");
    dec.init(Cipher.DECRYPT_MODE, rawKeySpec, new GCMParameterSpec(128, nonce));
    dec.updateAAD(AAD);
    return dec.doFinal(ct);
  }

  /**
   * SDK: {@link SecretStore#encrypt} then {@link SecretStore#decrypt} of 4 KiB with a raw key.
   *
   * @return the decrypted bytes
   * @throws EnvelopeException never
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public byte[] secretStoreEnvelope4KiB() throws EnvelopeException {
    return store.decrypt(store.encrypt(plaintext, AAD), AAD);
  }

  /**
   * Baseline: one Bouncy Castle Argon2id derivation at the default cost.
   *
   * @return the derived key
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public byte[] rawArgon2idDefaultCost() {
    Argon2idParameters d = Argon2idParameters.DEFAULT;
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(d.memoryKiB())
            .withIterations(d.iterations())
            .withParallelism(d.parallelism())
            .withSalt(salt)
            .build());
    byte[] out = new byte[32];
    gen.generateBytes("correct horse battery staple".getBytes(StandardCharsets.UTF_8), out);
    return out;
  }

  /**
   * SDK: encrypting 4 KiB for a passphrase recipient at the default cost (one Argon2id derivation plus the envelope).
   *
   * @return the envelope
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public byte[] passphraseEnvelopeDefaultCost() {
    return cipher.encrypt(plaintext, AAD, passphrase);
  }
}
