# The instance profile of every cacdb instance, least privilege: read the one tarball object, read and write objects
# under the backup prefix (and list only that prefix), nothing else. SSM's managed policy only when SSM access is on.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.40, < 6.0" }
  }
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "cacdb" {
  statement {
    sid       = "ReadTheArtifact"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arn}/${var.tarball_key}"]
  }
  statement {
    sid       = "ReadWriteBackups"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${var.bucket_arn}/${var.backup_prefix}*"]
  }
  statement {
    sid       = "ListBackups"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.backup_prefix}*"]
    }
  }
}

resource "aws_iam_role" "this" {
  name_prefix        = "${var.name}-"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "cacdb" {
  name   = "cacdb-artifact-and-backups"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.cacdb.json
}

resource "aws_iam_role_policy_attachment" "ssm" {
  count      = var.enable_ssm ? 1 : 0
  role       = aws_iam_role.this.name
  policy_arn = "arn:${var.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "this" {
  name_prefix = "${var.name}-"
  role        = aws_iam_role.this.name
  tags        = var.tags
}
