/**
 * Types shared by every SecureYeoman module.
 *
 * <ul>
 *   <li>{@link dev.secureyeoman.core.SecretBytes}: a holder for key material and other secrets that never prints its
 *       content, compares in constant time and can be wiped.
 *   <li>{@link dev.secureyeoman.core.SecureYeomanException}: the checked base type of every security outcome a caller
 *       must handle (a decryption that failed, a configuration that did not validate, a token that was rejected).
 * </ul>
 *
 * <h2>Exception policy</h2>
 *
 * Misuse of an API (a null, an out-of-range parameter, an option set twice) throws {@link IllegalArgumentException} or
 * {@link IllegalStateException}. Security outcomes throw a subclass of {@link dev.secureyeoman.core.SecureYeomanException}.
 * Expected negative results that are data (an audit log that failed verification) are returned as result objects.
 */
@NullMarked
package dev.secureyeoman.core;

import org.jspecify.annotations.NullMarked;
