output "cluster_map" {
  description = "The cluster map every process reads (/etc/cacdb/cluster.map), in io.cacdb.dax.cluster.ClusterMapFile's format."
  value       = local.cluster_map
}

output "dax_server_configs" {
  description = "Each DAX server's dax-server.conf, by server name."
  value       = local.dax_server_configs
}

output "node_configs" {
  description = "Each node's node.conf, by node name."
  value       = local.node_configs
}

output "proxy_config" {
  description = "The client instance's proxy.conf."
  value       = local.proxy_config
}

output "prometheus_config" {
  description = "Prometheus scrape configuration (prometheus.yml) for every DAX server and node."
  value       = local.prometheus_config
}

output "prometheus_targets" {
  description = "host:port of every /metrics endpoint, by role."
  value       = local.prometheus_targets
}

output "jdbc_url" {
  description = "Multi-host JDBC URL that finds the active node."
  value       = local.jdbc_url
}

output "psql" {
  description = "psql command line that finds the active node."
  value       = local.psql
}

output "user_data" {
  description = "cloud-init user data by instance name (d1.., n1, n2, client)."
  value       = local.user_data
}
