/**
 * What every cacdb process shares for being operated: the admin HTTP endpoint (Prometheus metrics, a health check and
 * operator actions, on the JDK's built-in HTTP server so it adds no dependency), stop signals, and {@code key = value}
 * configuration files. Not specific to DAX.
 */
package io.cacdb.dax.admin;
