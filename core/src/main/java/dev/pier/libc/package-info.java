/**
 * Internal, not exported: the C library's calls, constants and struct layouts, through the Foreign Function and
 * Memory API, for the packages that reach below NIO ({@code dev.pier.unix}, the reactor's UDP send batching).
 */
package dev.pier.libc;
