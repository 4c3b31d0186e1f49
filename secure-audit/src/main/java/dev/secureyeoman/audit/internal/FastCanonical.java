package dev.secureyeoman.audit.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The verifier's allocation-free builder of the {@link Canonical} MAC input, straight from the stored column bytes: the
 * text columns are taken as SQLite stores them (UTF-8) and the metadata JSON is transcoded to the canonical value
 * encoding without building maps. It produces exactly the bytes {@link Canonical#encode(Row, byte[])} produces for the
 * parsed row, or declines: {@link #metadata} returns false for anything outside the plain subset that {@link Json#write}
 * emits for ASCII data (escapes, non-ASCII bytes, whitespace, fractions and exponents, integers beyond {@code long},
 * duplicate keys, deep nesting, trailing bytes, oversized input). The verifier then checks that row on the original
 * path, so a declined row is verified (and a broken one reported) exactly as before.
 */
final class FastCanonical {
  private static final byte[] MAGIC = "SYAUDIT\0".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_DEPTH = 24;
  private static final byte[] NO_INPUT = new byte[0];

  private byte[] buf = new byte[1024];
  private int n;
  private int[] marks = new int[64];
  private int mp;
  private byte[] tmp = new byte[256];

  // the JSON being transcoded (empty outside metadata())
  private byte[] in = NO_INPUT;
  private int pos;

  /** Starts an entry: magic, version and (version 2) the log id. */
  void start(byte @Nullable [] logId) {
    n = 0;
    put(MAGIC, 0, MAGIC.length);
    if (logId == null) {
      u8(1);
    } else {
      u8(2);
      bytes(logId);
    }
  }

  byte[] buffer() {
    return buf;
  }

  int length() {
    return n;
  }

  private void ensure(int extra) {
    if (n + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + extra));
    }
  }

  void u8(int b) {
    ensure(1);
    buf[n++] = (byte) b;
  }

  void put(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, n, len);
    n += len;
  }

  void i32(int v) {
    ensure(4);
    buf[n++] = (byte) (v >>> 24);
    buf[n++] = (byte) (v >>> 16);
    buf[n++] = (byte) (v >>> 8);
    buf[n++] = (byte) v;
  }

  private void i32At(int at, int v) {
    buf[at] = (byte) (v >>> 24);
    buf[at + 1] = (byte) (v >>> 16);
    buf[at + 2] = (byte) (v >>> 8);
    buf[at + 3] = (byte) v;
  }

  void i64(long v) {
    i32((int) (v >>> 32));
    i32((int) v);
  }

  /** Length-prefixed bytes: {@code str()} of a stored UTF-8 text column, or {@code bytes()} of a blob. */
  void bytes(byte[] b) {
    i32(b.length);
    put(b, 0, b.length);
  }

  /** Thrown to decline a row; carries no stack. */
  private static final class Decline extends Exception {
    private static final long serialVersionUID = 1L;
    static final Decline INSTANCE = new Decline();

    private Decline() {
      super(null, null, false, false);
    }
  }

  /**
   * Appends the canonical encoding of the metadata JSON object.
   *
   * @param json the stored metadata bytes
   * @return false when the row must be checked on the original path (nothing useful was appended then)
   */
  boolean metadata(byte[] json) {
    if (json.length > Json.MAX_INPUT || json.length == 0 || json[0] != '{') {
      return false;
    }
    in = json;
    pos = 0;
    mp = 0;
    try {
      value(0);
      return pos == json.length;
    } catch (Decline d) {
      return false;
    } finally {
      in = NO_INPUT;
    }
  }

  private void value(int depth) throws Decline {
    if (depth > MAX_DEPTH || pos >= in.length) {
      throw Decline.INSTANCE;
    }
    byte c = in[pos];
    switch (c) {
      case '{' -> object(depth);
      case '[' -> array(depth);
      case '"' -> {
        u8('S');
        string();
      }
      case 't' -> literal("true", 'T');
      case 'f' -> literal("false", 'F');
      case 'n' -> literal("null", 'N');
      default -> number();
    }
  }

  private void literal(String word, char tag) throws Decline {
    int len = word.length();
    if (pos + len > in.length) {
      throw Decline.INSTANCE;
    }
    for (int i = 0; i < len; i++) {
      if (in[pos + i] != word.charAt(i)) {
        throw Decline.INSTANCE;
      }
    }
    pos += len;
    u8(tag);
  }

  /** A plain ASCII string without escapes or control characters, as {@code u32 length, bytes}. */
  private void string() throws Decline {
    int start = ++pos;
    while (true) {
      if (pos >= in.length) {
        throw Decline.INSTANCE;
      }
      byte b = in[pos];
      if (b == '"') {
        break;
      }
      if (b < 0x20 || b == '\\') { // negative: a non-ASCII byte
        throw Decline.INSTANCE;
      }
      pos++;
    }
    int len = pos - start;
    i32(len);
    put(in, start, len);
    pos++;
  }

  private void number() throws Decline {
    boolean neg = false;
    if (in[pos] == '-') {
      neg = true;
      pos++;
    }
    int start = pos;
    long v = 0;
    while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') {
      int d = in[pos] - '0';
      // accumulate negatively so Long.MIN_VALUE fits; decline on overflow (the parser turns it into a double)
      if (v < (Long.MIN_VALUE + d) / 10) {
        throw Decline.INSTANCE;
      }
      v = v * 10 - d;
      pos++;
    }
    int digits = pos - start;
    if (digits == 0 || (digits > 1 && in[start] == '0')) {
      throw Decline.INSTANCE;
    }
    if (pos < in.length && (in[pos] == '.' || in[pos] == 'e' || in[pos] == 'E')) {
      throw Decline.INSTANCE;
    }
    if (!neg && v == Long.MIN_VALUE) {
      throw Decline.INSTANCE;
    }
    u8('L');
    i64(neg ? v : -v);
  }

  private void array(int depth) throws Decline {
    pos++;
    u8('A');
    int countAt = n;
    i32(0);
    int count = 0;
    if (pos < in.length && in[pos] == ']') {
      pos++;
      return;
    }
    while (true) {
      value(depth + 1);
      count++;
      if (pos >= in.length) {
        throw Decline.INSTANCE;
      }
      byte c = in[pos++];
      if (c == ']') {
        i32At(countAt, count);
        return;
      }
      if (c != ',') {
        throw Decline.INSTANCE;
      }
    }
  }

  private void object(int depth) throws Decline {
    pos++;
    u8('M');
    int countAt = n;
    i32(0);
    if (pos < in.length && in[pos] == '}') {
      pos++;
      return;
    }
    int base = mp;
    boolean sorted = true;
    while (true) {
      if (pos >= in.length || in[pos] != '"') {
        throw Decline.INSTANCE;
      }
      int entryStart = n;
      string();
      if (mp > base) {
        int cmp = compareKeys(marks[mp - 2], entryStart);
        if (cmp == 0) {
          throw Decline.INSTANCE; // duplicate key: the parser rejects it
        }
        sorted &= cmp < 0;
      }
      push(entryStart, 0);
      if (pos >= in.length || in[pos] != ':') {
        throw Decline.INSTANCE;
      }
      pos++;
      value(depth + 1);
      if (pos >= in.length) {
        throw Decline.INSTANCE;
      }
      byte c = in[pos++];
      if (c == '}') {
        break;
      }
      if (c != ',') {
        throw Decline.INSTANCE;
      }
    }
    int count = (mp - base) / 2;
    i32At(countAt, count);
    if (!sorted) {
      reorder(base, count);
    }
    mp = base;
  }

  private void push(int a, int b) {
    if (mp + 2 > marks.length) {
      marks = Arrays.copyOf(marks, marks.length * 2);
    }
    marks[mp++] = a;
    marks[mp++] = b;
  }

  /** Compares the keys of two entries (each {@code u32 length, ASCII bytes}) as Java strings compare. */
  private int compareKeys(int a, int b) {
    int la = readI32(a);
    int lb = readI32(b);
    int min = Math.min(la, lb);
    for (int i = 0; i < min; i++) {
      int d = buf[a + 4 + i] - buf[b + 4 + i]; // ASCII only: signed and unsigned order agree
      if (d != 0) {
        return d;
      }
    }
    return la - lb;
  }

  private int readI32(int at) {
    return ((buf[at] & 0xff) << 24) | ((buf[at + 1] & 0xff) << 16) | ((buf[at + 2] & 0xff) << 8) | (buf[at + 3] & 0xff);
  }

  private int[] order = new int[16];

  /**
   * Rewrites the entries of one object (entry i starts at marks[base + 2i] and ends where entry i+1 starts, the last
   * at the end of the buffer) in key order: an insertion sort of indices (objects are small), then one copy.
   */
  private void reorder(int base, int count) throws Decline {
    if (order.length < count) {
      order = new int[Math.max(count, order.length * 2)];
    }
    int[] o = order;
    for (int i = 0; i < count; i++) {
      int start = marks[base + 2 * i];
      int j = i - 1;
      while (j >= 0 && compareKeys(marks[base + 2 * o[j]], start) > 0) {
        o[j + 1] = o[j];
        j--;
      }
      o[j + 1] = i;
    }
    for (int k = 1; k < count; k++) {
      if (compareKeys(marks[base + 2 * o[k - 1]], marks[base + 2 * o[k]]) == 0) {
        throw Decline.INSTANCE; // a duplicate key, not adjacent in the text: the parser rejects it
      }
    }
    int from = marks[base];
    int len = n - from;
    if (tmp.length < len) {
      tmp = new byte[Math.max(len, tmp.length * 2)];
    }
    System.arraycopy(buf, from, tmp, 0, len);
    int w = from;
    for (int k = 0; k < count; k++) {
      int i = o[k];
      int start = marks[base + 2 * i];
      int end = i + 1 < count ? marks[base + 2 * (i + 1)] : from + len;
      System.arraycopy(tmp, start - from, buf, w, end - start);
      w += end - start;
    }
  }

}
