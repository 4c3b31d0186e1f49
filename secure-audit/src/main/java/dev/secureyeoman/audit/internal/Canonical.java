package dev.secureyeoman.audit.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import org.jspecify.annotations.Nullable;

/**
 * The canonical, length-prefixed byte encoding of an audit entry that the HMAC covers.
 *
 * <pre>
 * "SYAUDIT\0" version(u8)                      version 1: entries written before the log had an id
 * bytes(log_id)                                 version 2 only: the log's 16-byte id
 * seq(i64) timestamp_ms(i64) key_id(i32)
 * str(level) str(event) str(actor) str(message)
 * correlation: 0x00 | 0x01 str(id)
 * value(metadata)
 * bytes(prev_hash)
 *
 * str(s)   = u32 length of UTF-8, UTF-8 bytes
 * bytes(b) = u32 length, bytes
 * value    = 'N' | 'T' | 'F' | 'L' i64 | 'D' i64(IEEE-754 bits) | 'S' str | 'A' u32 count value* | 'M' u32 count (str value)*
 * </pre>
 *
 * Map keys are sorted by their UTF-16 code units so the encoding does not depend on insertion order; every string and
 * collection is length-prefixed, so no two different entries share an encoding. Version 2 binds every entry to its
 * log: a whole database of another log under the same key does not verify as this one.
 */
public final class Canonical {
  private static final byte[] MAGIC = "SYAUDIT\0".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION_1 = 1;
  private static final int VERSION_2 = 2;

  private Canonical() {}

  /**
   * Encodes the MAC input of one entry (version 1, no log id).
   *
   * @param row the stored fields
   * @return the canonical bytes
   */
  public static byte[] encode(Row row) {
    return encode(row, null);
  }

  /**
   * Encodes the MAC input of one entry.
   *
   * @param row the stored fields
   * @param logId the log's 16-byte id (version 2), or null for an entry written before the log had one (version 1)
   * @return the canonical bytes
   */
  public static byte[] encode(Row row, byte @Nullable [] logId) {
    Out out = new Out(256 + row.message().length() * 2);
    out.write(MAGIC, 0, MAGIC.length);
    if (logId == null) {
      out.write(VERSION_1);
    } else {
      out.write(VERSION_2);
      out.bytes(logId);
    }
    out.i64(row.seq());
    out.i64(row.timestampMillis());
    out.i32(row.keyId());
    out.str(row.level());
    out.str(row.event());
    out.str(row.actor());
    out.str(row.message());
    if (row.correlationId() == null) {
      out.write(0);
    } else {
      out.write(1);
      out.str(row.correlationId());
    }
    out.value(row.metadata(), 0);
    out.bytes(row.prevHash());
    return out.toByteArray();
  }

  /**
   * The middle of the version-2 encoding, which depends on the event only: {@code str(level) str(event) str(actor)
   * str(message) correlation value(metadata)}. Computed by the appending thread so the single writer only MACs.
   *
   * @param level level name
   * @param event event name
   * @param actor actor
   * @param message message
   * @param correlationId correlation id or null
   * @param metadata metadata
   * @return the bytes
   */
  public static byte[] body(
      String level,
      String event,
      String actor,
      String message,
      @Nullable String correlationId,
      Map<String, Object> metadata) {
    Out out = new Out(128 + message.length() * 2);
    out.str(level);
    out.str(event);
    out.str(actor);
    out.str(message);
    if (correlationId == null) {
      out.write(0);
    } else {
      out.write(1);
      out.str(correlationId);
    }
    out.value(metadata, 0);
    return out.toByteArray();
  }

  /**
   * Feeds {@code mac} exactly the bytes {@link #encode(Row, byte[])} produces (version 2) for an entry whose middle is
   * {@code body}, and returns the MAC.
   *
   * @param mac the MAC (reset afterwards)
   * @param logId the 16-byte log id
   * @param seq seq
   * @param ts timestamp millis
   * @param keyId key id
   * @param body {@link #body}
   * @param prevHash previous hash
   * @return the MAC
   */
  public static byte[] mac(Mac mac, byte[] logId, long seq, long ts, int keyId, byte[] body, byte[] prevHash) {
    Out head = new Out(MAGIC.length + 1 + 4 + logId.length + 20);
    head.write(MAGIC, 0, MAGIC.length);
    head.write(VERSION_2);
    head.bytes(logId);
    head.i64(seq);
    head.i64(ts);
    head.i32(keyId);
    mac.update(head.buf, 0, head.count);
    mac.update(body);
    Out tail = new Out(4);
    tail.i32(prevHash.length);
    mac.update(tail.buf, 0, tail.count);
    mac.update(prevHash);
    return mac.doFinal();
  }

  /** Unsynchronised growable buffer (ByteArrayOutputStream locks on every byte). */
  private static final class Out {
    private byte[] buf;
    private int count;

    Out(int size) {
      buf = new byte[size];
    }

    private void ensure(int extra) {
      if (count + extra > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + extra));
      }
    }

    void write(int b) {
      ensure(1);
      buf[count++] = (byte) b;
    }

    void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, count);
    }

    void i32(int v) {
      ensure(4);
      buf[count++] = (byte) (v >>> 24);
      buf[count++] = (byte) (v >>> 16);
      buf[count++] = (byte) (v >>> 8);
      buf[count++] = (byte) v;
    }

    void i64(long v) {
      i32((int) (v >>> 32));
      i32((int) v);
    }

    void str(String s) {
      bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    void bytes(byte[] b) {
      i32(b.length);
      write(b, 0, b.length);
    }

    void value(@Nullable Object v, int depth) {
      if (depth > 64) {
        throw new IllegalArgumentException("metadata nested too deep");
      }
      if (v == null) {
        write('N');
      } else if (v instanceof Boolean b) {
        write(b ? 'T' : 'F');
      } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        write('L');
        i64(((Number) v).longValue());
      } else if (v instanceof Double || v instanceof Float) {
        write('D');
        i64(Double.doubleToLongBits(((Number) v).doubleValue()));
      } else if (v instanceof String s) {
        write('S');
        str(s);
      } else if (v instanceof List<?> l) {
        write('A');
        i32(l.size());
        for (Object o : l) {
          value(o, depth + 1);
        }
      } else if (v instanceof Map<?, ?> m) {
        write('M');
        i32(m.size());
        List<String> keys = new ArrayList<>(m.size());
        for (Object k : m.keySet()) {
          keys.add((String) k);
        }
        keys.sort(null);
        for (String k : keys) {
          str(k);
          value(m.get(k), depth + 1);
        }
      } else {
        throw new IllegalArgumentException("unsupported metadata type " + v.getClass().getName());
      }
    }
  }
}
