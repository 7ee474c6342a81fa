# The two database nodes: n1 (the active) in the first zone, n2 (its standby) in the second.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.40, < 6.0" }
  }
}

resource "aws_instance" "node" {
  count                = length(var.nodes)
  ami                  = var.ami_id
  instance_type        = var.instance_type
  iam_instance_profile = var.instance_profile
  key_name             = var.key_name
  user_data            = var.user_data[var.nodes[count.index].name]
  # A changed cluster map or configuration means a new instance: this is a throwaway test cluster.
  user_data_replace_on_change = true

  network_interface {
    network_interface_id = var.nodes[count.index].interface_id
    device_index         = 0
  }

  # IMDSv2 only (a process with zone = imds asks it for its zone); hop limit 1: nothing in containers needs it.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = var.root_volume_gib
    encrypted   = true
  }

  tags = merge(var.tags, { Name = "${var.name}-${var.nodes[count.index].name}" })
}
