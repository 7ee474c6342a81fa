# Provider-free rendering of everything cacdb's instances read, from one inventory: the cluster map, each process's
# configuration, the cloud-init user data and the Prometheus scrape configuration. No provider, so it runs anywhere
# (dist's TerraformRenderTest renders it with Terraform itself and parses the map with cacdb's ClusterMapFile).
terraform {
  required_version = ">= 1.9"
}

locals {
  p = var.ports

  cluster_map = templatefile("${path.module}/templates/cluster.map.tftpl", {
    quorum  = var.quorum
    servers = var.dax_servers
    nodes   = var.nodes
    ports   = local.p
  })

  dax_server_configs = {
    for s in var.dax_servers : s.name => templatefile("${path.module}/templates/dax-server.conf.tftpl", {
      server = s
      ports  = local.p
    })
  }

  node_configs = {
    for n in var.nodes : n.name => templatefile("${path.module}/templates/node.conf.tftpl", {
      node         = n
      ports        = local.p
      lease_millis = var.lease_duration_millis
      renew_millis = floor(var.lease_duration_millis / 5)
      guard_millis = floor(var.lease_duration_millis / 5)
      poll_millis  = floor(var.lease_duration_millis / 10)
      hb_millis    = floor(var.lease_duration_millis / 5)
      hb_timeout   = var.lease_duration_millis
    })
  }

  proxy_config = templatefile("${path.module}/templates/proxy.conf.tftpl", { ports = local.p, address = var.client_address })

  prometheus_targets = {
    dax   = [for s in var.dax_servers : "${s.address}:${local.p.dax_admin}"]
    nodes = [for n in var.nodes : "${n.address}:${local.p.node_admin}"]
  }

  prometheus_config = yamlencode({
    global = { scrape_interval = "${var.scrape_interval_seconds}s", evaluation_interval = "${var.scrape_interval_seconds}s" }
    scrape_configs = [
      {
        job_name     = "cacdb-dax"
        metrics_path = "/metrics"
        static_configs = [for s in var.dax_servers : {
          targets = ["${s.address}:${local.p.dax_admin}"]
          labels  = { member = s.name, availability_zone = s.zone }
        }]
      },
      {
        job_name     = "cacdb-node"
        metrics_path = "/metrics"
        static_configs = [for n in var.nodes : {
          targets = ["${n.address}:${local.p.node_admin}"]
          labels  = { member = n.name, availability_zone = n.zone }
        }]
      },
    ]
  })

  jdbc_url = "jdbc:postgresql://${join(",", [for n in var.nodes : "${n.address}:${local.p.pg}"])}/cacdb?user=${var.database_user}&sslmode=disable&targetServerType=primary&hostRecheckSeconds=1"
  psql     = "psql \"host=${join(",", [for n in var.nodes : n.address])} port=${join(",", [for n in var.nodes : local.p.pg])} dbname=cacdb user=${var.database_user} sslmode=disable target_session_attrs=read-write\""

  common = {
    bucket      = var.artifact_bucket
    key         = var.artifact_key
    cluster_map = local.cluster_map
    extra_files = {}
    wait_for    = []
  }

  # Per instance: what its cloud-init and bootstrap script need.
  instances = merge(
    { for s in var.dax_servers : s.name => merge(local.common, {
      role         = "dax-server"
      name         = s.name
      config_file  = "dax-server.conf"
      config       = local.dax_server_configs[s.name]
      data_storage = s.data_storage
      heap_percent = 25
    }) },
    { for n in var.nodes : n.name => merge(local.common, {
      role         = "node"
      name         = n.name
      config_file  = "node.conf"
      config       = local.node_configs[n.name]
      data_storage = "none"
      heap_percent = 50
      # every DAX server serving; a standby also waits until the first node is ACTIVE (its /health answers 200)
      wait_for = concat([for s in var.dax_servers : "http://${s.address}:${local.p.dax_admin}/health"],
      n.role == "standby" ? ["http://${var.nodes[0].address}:${local.p.node_admin}/health"] : [])
    }) },
    { client = merge(local.common, {
      role         = var.enable_proxy ? "proxy" : "client"
      name         = "client"
      config_file  = "proxy.conf"
      config       = local.proxy_config
      data_storage = "none"
      heap_percent = 25
      extra_files = {
        "/etc/cacdb/prometheus.yml"     = local.prometheus_config
        "/etc/cacdb/prometheus.version" = "${var.prometheus_version}\n"
      }
    }) },
  )

  user_data = {
    for name, v in local.instances : name => templatefile("${path.module}/templates/cloud-init.yaml.tftpl",
    merge(v, { bootstrap = templatefile("${path.module}/templates/bootstrap.sh.tftpl", v) }))
  }
}
