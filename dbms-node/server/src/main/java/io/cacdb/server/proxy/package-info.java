/**
 * {@code ./cacdb proxy}: one client port that always leads to the active node. It learns who is active from the lease
 * in META (the same record the standby watches), finds that node's PostgreSQL endpoint in the cluster map, and
 * forwards each client connection to it byte for byte. {@code docs/operations.md} "The proxy".
 */
package io.cacdb.server.proxy;
