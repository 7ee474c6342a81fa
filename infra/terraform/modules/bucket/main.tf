# The S3 bucket of one test cluster: the cacdb tarball under artifacts/, backups under backups/. Private, encrypted,
# versioned, deleted with the cluster (force_destroy: this is a throwaway test bucket).
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.40, < 6.0" }
  }
}

resource "aws_s3_bucket" "this" {
  bucket_prefix = "${var.name}-"
  force_destroy = true
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = "AES256" }
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration { status = "Enabled" }
}

resource "aws_s3_object" "tarball" {
  bucket      = aws_s3_bucket.this.id
  key         = "artifacts/${basename(var.tarball_path)}"
  source      = var.tarball_path
  source_hash = filemd5(var.tarball_path)
  tags        = var.tags
}
