output "instance" {
  description = "The client: instance id, private address."
  value = {
    id         = aws_instance.client.id
    private_ip = aws_instance.client.private_ip
  }
}
