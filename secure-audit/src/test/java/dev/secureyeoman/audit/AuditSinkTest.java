package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditSinkTest {

  @Test
  void sink_receivesEvents_failuresCarryCause() throws Exception {
    List<AuditEvent> got = new ArrayList<>();
    AuditSink sink = got::add;
    AuditEvent e = AuditEvent.builder("x.y").build();
    sink.record(e);
    assertEquals(List.of(e), got);

    IOException io = new IOException("disk full");
    AuditSink failing = ev -> {
      throw new AuditException("append failed for x.y", io);
    };
    AuditException ex = assertThrows(AuditException.class, () -> failing.record(e));
    assertSame(io, ex.getCause());
  }
}
