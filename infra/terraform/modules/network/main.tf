# The network of one test cluster: a VPC, one public subnet per zone, and one security group per role that opens only
# the ports that role serves, to the roles that use them. It also creates the network interfaces of every instance,
# so their private addresses exist before the instances do: the cluster map and the user data are rendered from
# them (modules/render), then the instances are started on them.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.40, < 6.0" }
  }
}

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(var.tags, { Name = var.name })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = var.name })
}

resource "aws_subnet" "zone" {
  count                   = length(var.zones)
  vpc_id                  = aws_vpc.this.id
  availability_zone       = var.zones[count.index]
  cidr_block              = cidrsubnet(var.vpc_cidr, 8, count.index + 1)
  map_public_ip_on_launch = true # packages, the S3 tarball, SSM and Prometheus downloads go out directly
  tags                    = merge(var.tags, { Name = "${var.name}-${var.zones[count.index]}" })
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this.id
  }
  tags = merge(var.tags, { Name = var.name })
}

resource "aws_route_table_association" "zone" {
  count          = length(var.zones)
  subnet_id      = aws_subnet.zone[count.index].id
  route_table_id = aws_route_table.public.id
}

# S3 traffic stays on the AWS network (tarball download, backups).
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.public.id]
  tags              = merge(var.tags, { Name = "${var.name}-s3" })
}

# ------------------------------------------------------------------------------------------------ security groups

resource "aws_security_group" "role" {
  for_each    = toset(["dax", "node", "client"])
  name        = "${var.name}-${each.key}"
  description = "cacdb ${each.key} instances"
  vpc_id      = aws_vpc.this.id
  tags        = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_vpc_security_group_egress_rule" "all" {
  for_each          = aws_security_group.role
  security_group_id = each.value.id
  description       = "packages, S3, SSM, peers"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

locals {
  # role that serves -> the port it serves -> the roles allowed to connect
  rules = {
    dax_rpc_from_nodes       = { to = "dax", port = var.ports.dax_rpc, from = "node", what = "DAX RPC from the nodes" }
    dax_admin_from_client    = { to = "dax", port = var.ports.dax_admin, from = "client", what = "DAX /metrics and /health (Prometheus)" }
    dax_admin_from_nodes     = { to = "dax", port = var.ports.dax_admin, from = "node", what = "DAX /health (a node's bootstrap waits for it)" }
    pg_from_client           = { to = "node", port = var.ports.pg, from = "client", what = "PostgreSQL from the driver and the proxy" }
    ha_between_nodes         = { to = "node", port = var.ports.ha, from = "node", what = "HA heartbeats between active and standby" }
    node_admin_from_client   = { to = "node", port = var.ports.node_admin, from = "client", what = "node /metrics and /health (Prometheus, proxy)" }
    node_admin_between_nodes = { to = "node", port = var.ports.node_admin, from = "node", what = "node /health (the standby's bootstrap waits for the active)" }
  }
}

resource "aws_vpc_security_group_ingress_rule" "role" {
  for_each                     = local.rules
  security_group_id            = aws_security_group.role[each.value.to].id
  referenced_security_group_id = aws_security_group.role[each.value.from].id
  description                  = each.value.what
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

# SSH from the given networks, only when an SSH key is configured (SSM needs no inbound port).
resource "aws_vpc_security_group_ingress_rule" "ssh" {
  for_each          = var.ssh_enabled ? { for pair in setproduct(keys(aws_security_group.role), var.ssh_allowed_cidrs) : "${pair[0]}-${pair[1]}" => { role = pair[0], cidr = pair[1] } } : {}
  security_group_id = aws_security_group.role[each.value.role].id
  description       = "SSH"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = each.value.cidr
}

# The proxy and Prometheus on the client instance, for the operator's networks.
resource "aws_vpc_security_group_ingress_rule" "client_services" {
  for_each          = { for pair in setproduct([var.ports.proxy, var.ports.prometheus], var.client_allowed_cidrs) : "${pair[0]}-${pair[1]}" => { port = pair[0], cidr = pair[1] } }
  security_group_id = aws_security_group.role["client"].id
  description       = "proxy / Prometheus for the operator"
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.cidr
}

# ------------------------------------------------------------------------------------------------ interfaces

locals {
  # d1.. grouped by zone: zone 0 holds d1..dK, zone 1 the next K, ...
  dax = [for i in range(length(var.zones) * var.dax_servers_per_zone) : {
    name = "d${i + 1}"
    zone = floor(i / var.dax_servers_per_zone)
  }]
  # the active in the first zone, the standby in the second
  nodes = [{ name = "n1", zone = 0 }, { name = "n2", zone = 1 }]
}

resource "aws_network_interface" "dax" {
  count           = length(local.dax)
  subnet_id       = aws_subnet.zone[local.dax[count.index].zone].id
  security_groups = [aws_security_group.role["dax"].id]
  tags            = merge(var.tags, { Name = "${var.name}-${local.dax[count.index].name}" })
}

resource "aws_network_interface" "node" {
  count           = length(local.nodes)
  subnet_id       = aws_subnet.zone[local.nodes[count.index].zone].id
  security_groups = [aws_security_group.role["node"].id]
  tags            = merge(var.tags, { Name = "${var.name}-${local.nodes[count.index].name}" })
}

resource "aws_network_interface" "client" {
  subnet_id       = aws_subnet.zone[0].id
  security_groups = [aws_security_group.role["client"].id]
  tags            = merge(var.tags, { Name = "${var.name}-client" })
}

# A public address per interface: an instance started on an existing interface gets no automatic public IP, and
# every instance downloads packages and reaches SSM. (A NAT gateway would cost more for a cluster this small.)
resource "aws_eip" "dax" {
  count             = length(local.dax)
  domain            = "vpc"
  network_interface = aws_network_interface.dax[count.index].id
  tags              = merge(var.tags, { Name = "${var.name}-${local.dax[count.index].name}" })
  depends_on        = [aws_internet_gateway.this]
}

resource "aws_eip" "node" {
  count             = length(local.nodes)
  domain            = "vpc"
  network_interface = aws_network_interface.node[count.index].id
  tags              = merge(var.tags, { Name = "${var.name}-${local.nodes[count.index].name}" })
  depends_on        = [aws_internet_gateway.this]
}

resource "aws_eip" "client" {
  domain            = "vpc"
  network_interface = aws_network_interface.client.id
  tags              = merge(var.tags, { Name = "${var.name}-client" })
  depends_on        = [aws_internet_gateway.this]
}
