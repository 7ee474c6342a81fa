output "jdbc_url" {
  description = "Multi-host JDBC URL (from inside the VPC, e.g. the client instance): finds the active node after a takeover."
  value       = module.render.jdbc_url
}

output "psql" {
  description = "psql command line that finds the active node (inside the VPC)."
  value       = module.render.psql
}

output "proxy_endpoint" {
  description = "host:port of the proxy on the client instance (private address; public one for client_allowed_cidrs)."
  value = {
    private = "${module.network.client_interface.address}:${local.ports.proxy}"
    public  = "${module.network.client_interface.public}:${local.ports.proxy}"
  }
}

output "prometheus_targets" {
  description = "Every /metrics endpoint, by role (the scrape configuration on the client instance lists the same)."
  value       = module.render.prometheus_targets
}

output "prometheus_url" {
  description = "Prometheus on the client instance (reachable from client_allowed_cidrs)."
  value       = "http://${module.network.client_interface.public}:${local.ports.prometheus}"
}

output "cluster_map" {
  description = "The cluster map written to /etc/cacdb/cluster.map on every instance."
  value       = module.render.cluster_map
}

output "instances" {
  description = "Every instance: id, role, private and public address, zone (used by infra/scripts)."
  value = merge(
    { for d in module.network.dax_interfaces : d.name => {
      id = module.dax_servers.instances[d.name].id, role = "dax-server", private_ip = d.address, public_ip = d.public, zone = d.zone
    } },
    { for n in module.network.node_interfaces : n.name => {
      id = module.nodes.instances[n.name].id, role = "node", private_ip = n.address, public_ip = n.public, zone = n.zone
    } },
    { client = {
      id        = module.client.instance.id, role = "client", private_ip = module.network.client_interface.address
      public_ip = module.network.client_interface.public, zone = module.network.client_interface.zone
    } },
  )
}

output "ssh_commands" {
  description = "SSH command per instance (null without ssh_public_key)."
  value = var.ssh_public_key == null ? null : merge(
    { for d in module.network.dax_interfaces : d.name => "ssh ec2-user@${d.public}" },
    { for n in module.network.node_interfaces : n.name => "ssh ec2-user@${n.public}" },
    { client = "ssh ec2-user@${module.network.client_interface.public}" },
  )
}

output "ssm_commands" {
  description = "SSM Session Manager command per instance (null without enable_ssm)."
  value = var.enable_ssm ? merge(
    { for name, i in module.dax_servers.instances : name => "aws ssm start-session --region ${var.region} --target ${i.id}" },
    { for name, i in module.nodes.instances : name => "aws ssm start-session --region ${var.region} --target ${i.id}" },
    { client = "aws ssm start-session --region ${var.region} --target ${module.client.instance.id}" },
  ) : null
}

output "bucket" {
  description = "The cluster's S3 bucket (artifacts/ and backups/)."
  value       = module.bucket.bucket
}

output "region" {
  description = "The region (for infra/scripts)."
  value       = var.region
}
