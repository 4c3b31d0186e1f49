package dev.secureyeoman.integrations.conversation;

import dev.secureyeoman.core.crypto.SecretStore;
import dev.secureyeoman.integrations.conversation.internal.SqliteConversationStoreImpl;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link ConversationStore} in an SQLite file that survives restarts and is shared safely by several processes.
 *
 * <p><b>Security guarantees.</b> Conversation text is personal data: each turn's role, author and text are sealed with
 * core's {@link SecretStore} (AES-256-GCM envelope), with associated data binding the envelope to its thread key,
 * position and time ({@code conversation-turn:v1:<platform/scope/thread>:<seq>:<epoch ms>}), so a body copied to another
 * thread or row fails to open ({@link ConversationException.Reason#TAMPERED}). Turns older than the retention period
 * (default 30 days, {@code security.integrations.conversation.retention}) are deleted when the store opens and on every
 * {@link ConversationStore#maintain}; SQLite's {@code secure_delete} overwrites deleted rows, the WAL is checkpointed
 * and truncated, and freed pages are returned to the file system ({@code auto_vacuum=INCREMENTAL}). The file and its
 * {@code -wal}/{@code -shm} companions are created {@code 0600}, missing parent directories {@code 0700}.
 *
 * <p><b>Not hidden:</b> thread keys (platform, chat/channel id, thread id), timestamps, token estimates and the sizes of
 * envelopes are stored in clear as metadata.
 *
 * <p><b>Threading.</b> One connection per store, serialised; windows are read from the database on every access, so
 * several processes (or stores) on one file see each other's turns. Appends run in {@code BEGIN IMMEDIATE}
 * transactions: a failure leaves nothing half-written.
 */
public final class SqliteConversationStore {
  private SqliteConversationStore() {}

  /** Default retention: 30 days. */
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

  /**
   * Opens (creating if needed) a store and applies retention once.
   *
   * @param dbPath the SQLite file
   * @param sealer seals and opens message bodies (for example {@code SecretStores.withKey(key)})
   * @param retention turns older than this are deleted (1 h..10 y)
   * @param clock time source of retention at open (the tracker passes its own time to the other operations)
   * @return the store
   * @throws ConversationException if the database cannot be opened or migrated
   */
  public static ConversationStore open(Path dbPath, SecretStore sealer, Duration retention, Clock clock)
      throws ConversationException {
    Objects.requireNonNull(dbPath, "dbPath");
    Objects.requireNonNull(sealer, "sealer");
    Objects.requireNonNull(clock, "clock");
    if (retention == null
        || retention.compareTo(Duration.ofHours(1)) < 0
        || retention.compareTo(Duration.ofDays(3650)) > 0) {
      throw new IllegalArgumentException("retention must be in PT1H..P3650D, got " + retention);
    }
    return SqliteConversationStoreImpl.open(dbPath, sealer, retention, clock);
  }
}
