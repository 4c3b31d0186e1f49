package dev.secureyeoman.auth.totp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.Result;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class OtpAuthUriTest {
  static final byte[] SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

  @Test
  void build_percentEncodesPerRfc3986() {
    String uri = OtpAuthUri.build("Acme Co", "alice@example.com", SECRET, TotpParameters.defaults());
    assertEquals(
        "otpauth://totp/Acme%20Co:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20Co"
            + "&algorithm=SHA1&digits=6&period=30",
        uri);
    assertEquals("%C3%A9t%C3%A9~._-%2B%26%3D%3F%2F", OtpAuthUri.encode("été~._-+&=?/"));
  }

  @Test
  void build_colonOrControlInIssuerOrAccount_rejected() {
    TotpParameters p = TotpParameters.defaults();
    assertThrows(IllegalArgumentException.class, () -> OtpAuthUri.build("Ac:me", "alice", SECRET, p));
    assertThrows(IllegalArgumentException.class, () -> OtpAuthUri.build("Acme", "ali:ce", SECRET, p));
    assertThrows(IllegalArgumentException.class, () -> OtpAuthUri.build("", "alice", SECRET, p));
    assertThrows(IllegalArgumentException.class, () -> OtpAuthUri.build("Acme", "al\nice", SECRET, p));
    assertThrows(NullPointerException.class, () -> OtpAuthUri.build(null, "alice", SECRET, p));
  }

  @Test
  void qrPng_decodesBackToTheExactUri() throws Exception {
    String uri =
        OtpAuthUri.build(
            "SecureYeoman", "ädmin@example.com", SECRET, new TotpParameters(TotpAlgorithm.SHA256, 8, 60));
    byte[] png = QrCodes.png(uri, 256);
    assertTrue(png.length > 8 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G');
    assertEquals(uri, decode(png));
    String dataUri = QrCodes.dataUri(png);
    assertTrue(dataUri.startsWith("data:image/png;base64,"));
    assertEquals(uri, decode(Base64.getDecoder().decode(dataUri.substring("data:image/png;base64,".length()))));
    // negative: another URI gives another picture
    String other = OtpAuthUri.build("SecureYeoman", "bob", SECRET, TotpParameters.defaults());
    assertTrue(!uri.equals(decode(QrCodes.png(other, 256))));
    assertThrows(IllegalArgumentException.class, () -> QrCodes.png("", 256));
    assertThrows(IllegalArgumentException.class, () -> QrCodes.png(uri, 10));
  }

  static String decode(byte[] png) throws Exception {
    var img = ImageIO.read(new ByteArrayInputStream(png));
    assertNotNull(img);
    Result r = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(img))));
    return r.getText();
  }

  @Test
  void parse_builtUri_roundTrips_andDefaultsApply() {
    byte[] secret = "12345678901234567890".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    TotpParameters p = new TotpParameters(TotpAlgorithm.SHA256, 8, 60);
    String uri = OtpAuthUri.build("Acme Corp & Co", "alice@example.com", secret, p);
    OtpAuthUri.Parsed parsed = OtpAuthUri.parse(uri);
    assertEquals(java.util.Optional.of("Acme Corp & Co"), parsed.issuer());
    assertEquals("alice@example.com", parsed.account());
    org.junit.jupiter.api.Assertions.assertArrayEquals(secret, parsed.secret());
    assertEquals(p, parsed.parameters());
    assertEquals(parsed, OtpAuthUri.parse(OtpAuthUri.build("Acme Corp & Co", "alice@example.com", secret, p)));
    assertFalse(parsed.toString().contains(Base32.encode(secret)));
    OtpAuthUri.Parsed minimal = OtpAuthUri.parse("otpauth://totp/bob?secret=GEZDGNBVGY3TQOJQ");
    assertEquals(java.util.Optional.empty(), minimal.issuer());
    assertEquals(TotpParameters.defaults(), minimal.parameters());
    assertEquals("bob", OtpAuthUri.parse("otpauth://totp/Acme:%20bob?secret=gezdgnbvgy3tqojq&image=x").account());
  }

  @Test
  void parse_hostileOrMalformed_illegalArgumentOnly_neverTheSecret() {
    String[] bad = {
      "", "otpauth://hotp/a?secret=GEZDGNBV&counter=1", "otpauth://totp/a", "otpauth://totp/a?secret=",
      "otpauth://totp/a?secret=!!!!", "otpauth://totp/a?secret=GEZDGNBV&secret=GEZDGNBV",
      "otpauth://totp/A:b?secret=GEZDGNBV&issuer=B", "otpauth://totp/a?secret=GEZDGNBV&digits=7",
      "otpauth://totp/a?secret=GEZDGNBV&period=99999", "otpauth://totp/a?secret=GEZDGNBV&algorithm=MD5",
      "otpauth://totp/a%ZZ?secret=GEZDGNBV", "otpauth://totp/a%C3?secret=GEZDGNBV", "otpauth://totp/a?secret=GEZDGNBV&",
      "otpauth://totp/a%0Ab?secret=GEZDGNBV", "otpauth://totp/a b?secret=GEZDGNBV", "otpauth://totp/A:b:c?secret=GEZDGNBV",
      "otpauth://totp/a?secret=GEZDGNBV&digits=", "otpauth://totp/" + "x".repeat(3000) + "?secret=GEZDGNBV",
      "otpauth://totp/%ED%A0%80?secret=GEZDGNBV",
    };
    for (String b : bad) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OtpAuthUri.parse(b), b);
      assertFalse(e.getMessage().contains("GEZDGNBV"), e.getMessage());
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> OtpAuthUri.build("Acme", "a\uD800", new byte[] {1}, TotpParameters.defaults()),
        "a lone surrogate would not survive encoding");
  }
}
