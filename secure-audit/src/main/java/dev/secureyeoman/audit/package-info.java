/**
 * The audit log API: what an audit event is and how it is recorded.
 *
 * <p>{@link dev.secureyeoman.audit.AuditEvent} is the immutable value every module hands to the audit store. Events never
 * carry passwords, tokens or key material; callers put identifiers and outcomes in the metadata instead.
 */
package dev.secureyeoman.audit;
