/**
 * The admin HTTP endpoint every cacdb process exposes: Prometheus metrics and a health check, on the JDK's built-in
 * HTTP server so it adds no dependency. Not specific to DAX; any process builds one from its registry and a health
 * supplier.
 */
package io.cacdb.dax.admin;
