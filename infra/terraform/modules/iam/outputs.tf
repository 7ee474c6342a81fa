output "instance_profile" {
  description = "Name of the instance profile every cacdb instance uses."
  value       = aws_iam_instance_profile.this.name
}
