/**
 * Internal, not exported: the C library's calls, constants and struct layouts, through the Foreign Function and
 * Memory API, for the packages that reach below NIO ({@code dev.pier.unix}, the reactor's UDP send batching); the
 * checks for the JVM flags those need; and the JDK's signal handlers, for {@code StopSignals}.
 */
package dev.pier.libc;
