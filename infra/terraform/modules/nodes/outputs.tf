output "instances" {
  description = "Each node: instance id, private address, zone."
  value = { for i, n in var.nodes : n.name => {
    id         = aws_instance.node[i].id
    private_ip = aws_instance.node[i].private_ip
    zone       = n.zone
  } }
}
