# A throwaway cacdb test cluster on EC2 over three availability zones (docs/deploy-ec2.md):
#   network      VPC, a subnet per zone, per-role security groups, the instances' network interfaces
#   bucket       S3: the tarball (artifacts/) and backups (backups/)
#   iam          instance profile: read the tarball, read/write backups/, SSM
#   render       provider-free: cluster map, configurations, cloud-init, Prometheus config from the interfaces
#   dax_servers  dax_servers_per_zone DAX servers in each zone
#   nodes        n1 (active) in the first zone, n2 (standby) in the second
#   client       the TPC-C driver, proxy and Prometheus

data "aws_availability_zones" "available" {
  state = "available"
  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

data "aws_partition" "current" {}

# Amazon Linux 2023 (x86_64): Corretto 21 in its repositories, the AWS CLI and the SSM agent preinstalled.
data "aws_ssm_parameter" "al2023" {
  count = var.ami_id == null ? 1 : 0
  name  = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

locals {
  zones = length(var.zones) > 0 ? var.zones : slice(sort(data.aws_availability_zones.available.names), 0, 3)
  ports = {
    dax_rpc     = 7400
    dax_admin   = 7480
    pg          = 5432
    node_admin  = 8480
    ha          = 8432
    proxy       = 6432
    proxy_admin = 6480
    prometheus  = 9090
  }
}

resource "aws_key_pair" "ssh" {
  count      = var.ssh_public_key == null ? 0 : 1
  key_name   = var.name
  public_key = var.ssh_public_key
}

module "network" {
  source               = "./modules/network"
  name                 = var.name
  region               = var.region
  zones                = local.zones
  vpc_cidr             = var.vpc_cidr
  dax_servers_per_zone = var.dax_servers_per_zone
  ports                = local.ports
  ssh_enabled          = var.ssh_public_key != null
  ssh_allowed_cidrs    = var.ssh_allowed_cidrs
  client_allowed_cidrs = var.client_allowed_cidrs
  tags                 = var.tags
}

module "bucket" {
  source       = "./modules/bucket"
  name         = var.name
  tarball_path = var.tarball_path
  tags         = var.tags
}

module "iam" {
  source        = "./modules/iam"
  name          = var.name
  bucket_arn    = module.bucket.bucket_arn
  tarball_key   = module.bucket.tarball_key
  backup_prefix = module.bucket.backup_prefix
  enable_ssm    = var.enable_ssm
  partition     = data.aws_partition.current.partition
  tags          = var.tags
}

module "render" {
  source = "./modules/render"
  dax_servers = [for d in module.network.dax_interfaces : {
    name = d.name, address = d.address, zone = d.zone, data_storage = var.dax_data_storage
  }]
  nodes = [for i, n in module.network.node_interfaces : {
    name = n.name, address = n.address, zone = n.zone, role = i == 0 ? "auto" : "standby"
  }]
  client_address        = module.network.client_interface.address
  quorum                = var.quorum
  ports                 = local.ports
  artifact_bucket       = module.bucket.bucket
  artifact_key          = module.bucket.tarball_key
  lease_duration_millis = var.lease_duration_millis
  enable_proxy          = var.enable_proxy
}

locals {
  instance_common = {
    ami_id           = var.ami_id != null ? var.ami_id : nonsensitive(data.aws_ssm_parameter.al2023[0].value)
    instance_profile = module.iam.instance_profile
    key_name         = var.ssh_public_key == null ? null : aws_key_pair.ssh[0].key_name
  }
}

module "dax_servers" {
  source               = "./modules/dax_servers"
  name                 = var.name
  ami_id               = local.instance_common.ami_id
  instance_profile     = local.instance_common.instance_profile
  key_name             = local.instance_common.key_name
  instance_type        = var.dax_instance_type
  servers              = [for d in module.network.dax_interfaces : { name = d.name, interface_id = d.id, zone = d.zone }]
  user_data            = module.render.user_data
  data_storage         = var.dax_data_storage
  ebs_size_gib         = var.dax_ebs.size_gib
  ebs_type             = var.dax_ebs.type
  ebs_iops             = var.dax_ebs.iops
  ebs_throughput_mibps = var.dax_ebs.throughput_mibps
  tags                 = var.tags
}

module "nodes" {
  source           = "./modules/nodes"
  name             = var.name
  ami_id           = local.instance_common.ami_id
  instance_profile = local.instance_common.instance_profile
  key_name         = local.instance_common.key_name
  instance_type    = var.node_instance_type
  nodes            = [for n in module.network.node_interfaces : { name = n.name, interface_id = n.id, zone = n.zone }]
  user_data        = module.render.user_data
  tags             = var.tags
}

module "client" {
  source           = "./modules/client"
  name             = var.name
  ami_id           = local.instance_common.ami_id
  instance_profile = local.instance_common.instance_profile
  key_name         = local.instance_common.key_name
  instance_type    = var.client_instance_type
  interface_id     = module.network.client_interface.id
  user_data        = module.render.user_data["client"]
  tags             = var.tags
}
