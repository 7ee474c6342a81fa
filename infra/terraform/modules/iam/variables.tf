variable "name" {
  description = "Name prefix of the role and profile."
  type        = string
}

variable "bucket_arn" {
  description = "ARN of the cluster's bucket."
  type        = string
}

variable "tarball_key" {
  description = "Key of the cacdb tarball: the only artifact the instances may read."
  type        = string
}

variable "backup_prefix" {
  description = "Prefix the instances may read and write backups under (ends with /)."
  type        = string
  validation {
    condition     = endswith(var.backup_prefix, "/")
    error_message = "backup_prefix must end with '/'."
  }
}

variable "enable_ssm" {
  description = "Attach AmazonSSMManagedInstanceCore so that SSM Session Manager and Run Command work."
  type        = bool
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
