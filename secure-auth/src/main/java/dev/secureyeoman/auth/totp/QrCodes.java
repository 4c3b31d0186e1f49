package dev.secureyeoman.auth.totp;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** Renders text (an {@code otpauth://} URI) as a QR code PNG with ZXing, and as a {@code data:} URI. */
public final class QrCodes {
  private QrCodes() {}

  /**
   * Renders a QR code PNG.
   *
   * @param text the content, at most 1024 chars
   * @param sizePixels width and height, 64 to 1024
   * @return PNG bytes
   */
  public static byte[] png(String text, int sizePixels) {
    if (text == null || text.isEmpty() || text.length() > 1024) {
      throw new IllegalArgumentException("text must be 1-1024 chars");
    }
    if (sizePixels < 64 || sizePixels > 1024) {
      throw new IllegalArgumentException("sizePixels must be in [64, 1024], got " + sizePixels);
    }
    try {
      BitMatrix m =
          new QRCodeWriter()
              .encode(
                  text,
                  BarcodeFormat.QR_CODE,
                  sizePixels,
                  sizePixels,
                  Map.of(
                      EncodeHintType.CHARACTER_SET, StandardCharsets.UTF_8.name(),
                      EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M,
                      EncodeHintType.MARGIN, 2));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      MatrixToImageWriter.writeToStream(m, "PNG", out);
      return out.toByteArray();
    } catch (WriterException e) {
      throw new IllegalArgumentException("text cannot be encoded as a QR code", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Wraps PNG bytes as a {@code data:image/png;base64,...} URI for an {@code <img src>}.
   *
   * @param png the PNG bytes
   * @return the data URI
   */
  public static String dataUri(byte[] png) {
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
  }
}
