/**
 * The audit log API: a tamper-evident, retention-aware audit store and the event type every module records.
 *
 * <h2>Quick start</h2>
 *
 * <pre>{@code
 * SecretBytes key = ...;                                        // 32 random bytes from the host's KeySource
 * try (AuditStore store = SqliteAuditStore.open(
 *         AuditStoreOptions.builder(Path.of("data/audit.db"))
 *             .macKey(key)                                      // or .keyring(AuditKeyring...) for rotation
 *             .checkpoints(CheckpointSinks.appendOnlyFile(Path.of("/var/lib/app/audit.checkpoints")),
 *                          CheckpointKeys.deriveFromAuditKey(key))
 *             .build())) {
 *   AuditSink sink = store;                                     // what secure-auth and others depend on
 *   sink.record(AuditEvent.builder("auth.login.failure").actor("alice").put("ip", ip).build());
 *   VerificationResult r = store.verify();                      // r.valid(), r.firstBrokenSeq(), r.problem()
 *   store.enforceRetention(RetentionPolicy.defaults());         // 90 days, 1 000 000 entries
 *   store.checkpoint();                                         // signed head, kept outside the DB directory
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.secureyeoman.audit.AuditEvent} is the immutable value every module hands to an
 *       {@link dev.secureyeoman.audit.AuditSink}. Events never carry passwords, tokens or key material.
 *   <li>{@link dev.secureyeoman.audit.AuditStore} ({@code extends AuditSink, AutoCloseable}) is the log; open the SQLite
 *       implementation with {@link dev.secureyeoman.audit.SqliteAuditStore#open(AuditStoreOptions)}.
 *   <li>{@link dev.secureyeoman.audit.AuditMaintenance} runs retention, checkpoint and verification on a host scheduler.
 * </ul>
 *
 * <h2>Security guarantees</h2>
 *
 * Each entry's HMAC-SHA256 covers a length-prefixed canonical encoding of every field (seq, timestamp, key id, level,
 * event, actor, message, correlation id, nested metadata) and the previous entry's MAC. Without the key, editing,
 * inserting, deleting, reordering or re-signing entries is detected; purges are accepted only through an authenticated
 * {@code retention_purge} entry; deleting the newest entries or restoring an older copy is detected against signed
 * checkpoints. Not provided: confidentiality of entries, protection against a holder of the MAC key, detection of
 * truncation or rollback when no checkpoint was taken or the checkpoint file was rolled back too. See
 * {@code docs/audit.md}.
 */
@NullMarked
package dev.secureyeoman.audit;

import org.jspecify.annotations.NullMarked;
