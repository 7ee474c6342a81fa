output "instances" {
  description = "Each DAX server: instance id, private address, zone."
  value = { for i, s in var.servers : s.name => {
    id         = aws_instance.dax[i].id
    private_ip = aws_instance.dax[i].private_ip
    zone       = s.zone
  } }
}
