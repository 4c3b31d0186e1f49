package dev.secureyeoman.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.secureyeoman.core.SecretBytes;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Decodes an envelope with nothing but the JDK, following the byte layout written down in docs/config.md, so the
 * documentation and the implementation cannot drift apart silently.
 */
class EnvelopeFormatSpecTest {

  @Test
  void rawKeyEnvelope_decodesPerDocumentedLayout() throws Exception {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 0x42);
    byte[] aad = "totp-secret:v1:alice".getBytes(StandardCharsets.UTF_8);
    byte[] plaintext = "JBSWY3DPEHPK3PXP".getBytes(StandardCharsets.US_ASCII);
    byte[] env = EnvelopeCipher.create().encrypt(plaintext, aad, RecipientKey.raw("spec", SecretBytes.copyOf(key)));

    ByteBuffer in = ByteBuffer.wrap(env);
    byte[] magic = new byte[4];
    in.get(magic);
    assertArrayEquals("SYEV".getBytes(StandardCharsets.US_ASCII), magic);
    assertEquals(1, in.get()); // version
    assertEquals(0, in.get()); // flags
    assertEquals(1, in.get()); // recipient count
    int descriptorStart = in.position();
    assertEquals(1, in.get()); // kind: raw key
    int idLength = in.get();
    byte[] id = new byte[idLength];
    in.get(id);
    assertEquals("spec", new String(id, StandardCharsets.US_ASCII));
    int descriptorEnd = in.position();
    byte[] wrapNonce = new byte[12];
    in.get(wrapNonce);
    byte[] wrapped = new byte[48];
    in.get(wrapped);
    byte[] nonce = new byte[12];
    in.get(nonce);
    int payloadLength = in.getInt();
    int headerLength = in.position();
    assertEquals(env.length - headerLength, payloadLength);

    // key wrap: AES-256-GCM(key, wrapNonce), AAD = magic || version || descriptor
    ByteArrayOutputStream wrapAad = new ByteArrayOutputStream();
    wrapAad.writeBytes(magic);
    wrapAad.write(1);
    wrapAad.write(env, descriptorStart, descriptorEnd - descriptorStart);
    Cipher unwrap = Cipher.getInstance("AES/GCM/NoPadding");
    unwrap.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, wrapNonce));
    unwrap.updateAAD(wrapAad.toByteArray());
    byte[] dataKey = unwrap.doFinal(wrapped);
    assertEquals(32, dataKey.length);

    // payload: AES-256-GCM(dataKey, nonce), AAD = header || uint32(len(aad)) || aad
    Cipher body = Cipher.getInstance("AES/GCM/NoPadding");
    body.init(Cipher.DECRYPT_MODE, new SecretKeySpec(dataKey, "AES"), new GCMParameterSpec(128, nonce));
    body.updateAAD(Arrays.copyOf(env, headerLength));
    body.updateAAD(ByteBuffer.allocate(4).putInt(aad.length).array());
    body.updateAAD(aad);
    assertArrayEquals(plaintext, body.doFinal(env, headerLength, payloadLength));
  }

  @Test
  void passphraseRecipient_storesCostAndSaltPerDocumentedLayout() throws Exception {
    Argon2idParameters params =
        Argon2idParameters.builder().memoryKiB(20 * 1024).iterations(3).parallelism(2).build();
    byte[] env =
        EnvelopeCipher.create()
            .encrypt(new byte[] {1}, new byte[0], RecipientKey.passphrase("pp", "pw-long-enough".toCharArray(), params));
    ByteBuffer in = ByteBuffer.wrap(env);
    in.position(7);
    assertEquals(2, in.get()); // kind: passphrase (Argon2id)
    assertEquals(2, in.get());
    in.position(in.position() + 2); // "pp"
    assertEquals(20 * 1024, in.getInt());
    assertEquals(3, in.getInt());
    assertEquals(2, in.get());
    assertEquals(16, in.get()); // salt length
  }
}
