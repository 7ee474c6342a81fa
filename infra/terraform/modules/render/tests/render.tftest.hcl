# terraform test (no provider, no cloud): run by dist's TerraformRenderTest when terraform is on the PATH.
variables {
  dax_servers = [
    { name = "d1", address = "10.0.1.10", zone = "z1", data_storage = "instance-store" },
    { name = "d2", address = "10.0.1.11", zone = "z1", data_storage = "instance-store" },
    { name = "d3", address = "10.0.2.10", zone = "z2", data_storage = "ebs" },
    { name = "d4", address = "10.0.2.11", zone = "z2", data_storage = "ebs" },
    { name = "d5", address = "10.0.3.10", zone = "z3", data_storage = "instance-store" },
    { name = "d6", address = "10.0.3.11", zone = "z3", data_storage = "instance-store" },
  ]
  nodes = [
    { name = "n1", address = "10.0.1.20", zone = "z1", role = "auto" },
    { name = "n2", address = "10.0.2.20", zone = "z2", role = "standby" },
  ]
  client_address  = "10.0.1.30"
  artifact_bucket = "bucket"
  artifact_key    = "artifacts/cacdb.tar.gz"
}

run "renders_the_map_configs_and_user_data" {
  command = apply

  assert {
    condition     = strcontains(output.cluster_map, "server d3 10.0.2.10:7400 zone=z2\n")
    error_message = "d3 is not in the cluster map:\n${output.cluster_map}"
  }
  assert {
    condition     = strcontains(output.cluster_map, "node n2 10.0.2.20:5432 zone=z2 admin=10.0.2.20:8480 ha=10.0.2.20:8432\n")
    error_message = "n2 is not in the cluster map:\n${output.cluster_map}"
  }
  assert {
    condition     = strcontains(output.node_configs["n2"], "role = standby") && strcontains(output.node_configs["n1"], "role = auto")
    error_message = "the nodes' start roles are wrong"
  }
  assert {
    condition     = strcontains(output.user_data["d3"], "Amazon Elastic Block Store") && strcontains(output.user_data["d1"], "Amazon EC2 NVMe Instance Storage")
    error_message = "the DAX bootstrap does not pick the data disk by its storage kind"
  }
  assert {
    condition     = strcontains(output.user_data["n2"], "http://10.0.1.20:8480/health") && !strcontains(output.user_data["n1"], "http://10.0.1.20:8480/health")
    error_message = "only the standby waits for the first node"
  }
  assert {
    condition     = length(output.prometheus_targets.dax) == 6 && length(output.prometheus_targets.nodes) == 2
    error_message = "Prometheus targets: ${jsonencode(output.prometheus_targets)}"
  }
}

run "refuses_quorums_that_do_not_overlap" {
  command = plan
  variables {
    quorum = { replicas = 6, write_quorum = 3, read_quorum = 3 }
  }
  expect_failures = [var.quorum]
}

run "refuses_servers_in_one_zone" {
  command = plan
  variables {
    dax_servers = [
      { name = "d1", address = "10.0.1.10", zone = "z1", data_storage = "instance-store" },
      { name = "d2", address = "10.0.1.11", zone = "z1", data_storage = "instance-store" },
    ]
  }
  expect_failures = [var.dax_servers]
}
