# The DAX servers: one instance per network interface of modules/network, data on the NVMe instance store
# (default: instance types with local NVMe) or on an optional EBS volume per server.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.40, < 6.0" }
  }
}

resource "aws_instance" "dax" {
  count                = length(var.servers)
  ami                  = var.ami_id
  instance_type        = var.instance_type
  iam_instance_profile = var.instance_profile
  key_name             = var.key_name
  user_data            = var.user_data[var.servers[count.index].name]
  # A changed cluster map or configuration means a new instance: this is a throwaway test cluster.
  user_data_replace_on_change = true

  network_interface {
    network_interface_id = var.servers[count.index].interface_id
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

  tags = merge(var.tags, { Name = "${var.name}-${var.servers[count.index].name}" })
}

resource "aws_ebs_volume" "data" {
  count             = var.data_storage == "ebs" ? length(var.servers) : 0
  availability_zone = var.servers[count.index].zone
  size              = var.ebs_size_gib
  type              = var.ebs_type
  iops              = var.ebs_iops
  throughput        = var.ebs_type == "gp3" ? var.ebs_throughput_mibps : null
  encrypted         = true
  tags              = merge(var.tags, { Name = "${var.name}-${var.servers[count.index].name}-data" })
}

resource "aws_volume_attachment" "data" {
  count       = var.data_storage == "ebs" ? length(var.servers) : 0
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.data[count.index].id
  instance_id = aws_instance.dax[count.index].id
}
