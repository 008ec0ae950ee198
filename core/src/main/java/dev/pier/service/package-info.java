/**
 * Services (Twisted's {@code IService} and {@code MultiService}): a server in either model as something that starts,
 * serves, drains and stops, and groups of them that start and stop as one, so that which services share a process
 * is decided when they are deployed.
 */
package dev.pier.service;
