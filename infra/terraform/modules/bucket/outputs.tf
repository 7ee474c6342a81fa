output "bucket" {
  description = "Bucket name."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "Bucket ARN."
  value       = aws_s3_bucket.this.arn
}

output "tarball_key" {
  description = "Key of the uploaded tarball."
  value       = aws_s3_object.tarball.key
}

output "backup_prefix" {
  description = "Prefix the instances may read and write backups under."
  value       = "backups/"
}
