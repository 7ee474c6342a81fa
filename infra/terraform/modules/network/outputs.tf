output "vpc_id" {
  description = "The VPC."
  value       = aws_vpc.this.id
}

output "dax_interfaces" {
  description = "Network interface of each DAX server: name, id, private address, zone."
  value = [for i, d in local.dax : {
    name    = d.name
    id      = aws_network_interface.dax[i].id
    address = aws_network_interface.dax[i].private_ip
    public  = aws_eip.dax[i].public_ip
    zone    = var.zones[d.zone]
  }]
}

output "node_interfaces" {
  description = "Network interface of each node (n1 in the first zone, n2 in the second)."
  value = [for i, n in local.nodes : {
    name    = n.name
    id      = aws_network_interface.node[i].id
    address = aws_network_interface.node[i].private_ip
    public  = aws_eip.node[i].public_ip
    zone    = var.zones[n.zone]
  }]
}

output "client_interface" {
  description = "Network interface of the client/driver instance."
  value = {
    id      = aws_network_interface.client.id
    address = aws_network_interface.client.private_ip
    public  = aws_eip.client.public_ip
    zone    = var.zones[0]
  }
}
