variable "name" {
  description = "Name prefix (instances are tagged <name>-<member>)."
  type        = string
}

variable "ami_id" {
  description = "AMI of the instances (the root module picks Amazon Linux 2023)."
  type        = string
}

variable "instance_type" {
  description = "EC2 instance type."
  type        = string
}

variable "instance_profile" {
  description = "IAM instance profile name."
  type        = string
}

variable "key_name" {
  description = "EC2 key pair for SSH, or null for none (SSM only)."
  type        = string
  default     = null
}

variable "root_volume_gib" {
  description = "Size of the root volume (OS, JDK, cacdb, logs)."
  type        = number
  default     = 20
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}

variable "nodes" {
  description = "One entry per node: name, network interface id, availability zone."
  type = list(object({
    name         = string
    interface_id = string
    zone         = string
  }))
  validation {
    condition     = length(var.nodes) == 2 && length(distinct([for n in var.nodes : n.zone])) == 2
    error_message = "Two nodes, in different zones."
  }
}

variable "user_data" {
  description = "cloud-init user data by node name (modules/render)."
  type        = map(string)
}
