/**
 * Endpoint description strings, shared by both models: {@link dev.pier.endpoint.Endpoint#parseServer} and
 * {@link dev.pier.endpoint.Endpoint#parseClient} turn {@code tcp:8080:interface=127.0.0.1},
 * {@code unix:/run/app.sock:mode=660}, {@code localhost:8080} and the like into records, and
 * {@link dev.pier.endpoint.Endpoint#describe()} writes the canonical form back.
 */
package dev.pier.endpoint;
