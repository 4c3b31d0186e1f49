/**
 * The {@code secureyeoman} command.
 *
 * <p>Contract (DESIGN §6): exit code 0 on success, 1 when the operation failed (bad input, tampered data, wrong key,
 * verification failed), 2 on a usage error. Errors go to stderr as exactly one line starting with {@code error:}; a stack
 * trace is printed only with {@code --verbose}.
 */
package dev.secureyeoman.cli;
