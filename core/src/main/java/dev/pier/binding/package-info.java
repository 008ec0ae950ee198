/**
 * Internal, not exported: binding alike in both models and for the Unix sockets: which family of socket an address
 * gets, and what a failed bind says.
 */
package dev.pier.binding;
