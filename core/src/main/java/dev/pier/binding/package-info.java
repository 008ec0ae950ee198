/**
 * Internal, not exported: what a failed bind says, in the same words for both models and the Unix sockets.
 */
package dev.pier.binding;
