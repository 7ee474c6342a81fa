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

variable "servers" {
  description = "One entry per DAX server: name, network interface id, availability zone."
  type = list(object({
    name         = string
    interface_id = string
    zone         = string
  }))
}

variable "user_data" {
  description = "cloud-init user data by server name (modules/render)."
  type        = map(string)
}

variable "data_storage" {
  description = "instance-store (the instance type's local NVMe) or ebs (one volume per server)."
  type        = string
  validation {
    condition     = contains(["instance-store", "ebs"], var.data_storage)
    error_message = "data_storage must be instance-store or ebs."
  }
}

variable "ebs_size_gib" {
  description = "Size of each EBS data volume (data_storage = ebs)."
  type        = number
  default     = 100
}

variable "ebs_type" {
  description = "EBS volume type of the data volumes: gp3, io2."
  type        = string
  default     = "gp3"
}

variable "ebs_iops" {
  description = "Provisioned IOPS of each data volume (gp3: 3000..16000, io2: up to 64000)."
  type        = number
  default     = 6000
}

variable "ebs_throughput_mibps" {
  description = "gp3 throughput of each data volume."
  type        = number
  default     = 250
}
