variable "name" {
  description = "Name of this test cluster: prefix of every resource and its tag cacdb:cluster."
  type        = string
  default     = "cacdb-test"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lower-case letters, digits or '-', starting with a letter (it prefixes the S3 bucket)."
  }
}

variable "region" {
  description = "AWS region; it must have at least three availability zones."
  type        = string
  default     = "us-east-1"
  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must look like us-east-1."
  }
}

variable "zones" {
  description = "Three availability zones (DAX servers in all three; n1 in the first, n2 in the second). Empty = the region's first three."
  type        = list(string)
  default     = []
  validation {
    condition     = length(var.zones) == 0 || (length(var.zones) == 3 && length(distinct(var.zones)) == 3)
    error_message = "zones must be empty or three distinct availability zones."
  }
}

variable "vpc_cidr" {
  description = "CIDR of the cluster's VPC (a /16; subnets are its /24s 1, 2 and 3)."
  type        = string
  default     = "10.42.0.0/16"
  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && endswith(var.vpc_cidr, "/16")
    error_message = "vpc_cidr must be an IPv4 /16 such as 10.42.0.0/16."
  }
}

variable "tarball_path" {
  description = "Path of cacdb-VERSION.tar.gz to upload (built by ./mvnw -B package into dist/target/)."
  type        = string
  validation {
    condition     = endswith(var.tarball_path, ".tar.gz") && fileexists(var.tarball_path)
    error_message = "tarball_path must name an existing cacdb-VERSION.tar.gz (run ./mvnw -B package first)."
  }
}

variable "dax_servers_per_zone" {
  description = "DAX servers in each of the three zones (2 gives the default N=6 layout: two replicas per zone)."
  type        = number
  default     = 2
  validation {
    condition     = var.dax_servers_per_zone >= 1 && var.dax_servers_per_zone <= 8 && floor(var.dax_servers_per_zone) == var.dax_servers_per_zone
    error_message = "dax_servers_per_zone must be a whole number in 1..8."
  }
}

variable "quorum" {
  description = "Replicas per segment (N), write quorum (W), read quorum (R). N must not exceed the DAX servers."
  type = object({
    replicas     = number
    write_quorum = number
    read_quorum  = number
  })
  default = { replicas = 6, write_quorum = 4, read_quorum = 3 }
  validation {
    condition     = var.quorum.replicas <= 3 * var.dax_servers_per_zone
    error_message = "quorum.replicas (N) must not exceed the number of DAX servers, 3 * dax_servers_per_zone."
  }
}

variable "ami_id" {
  description = "AMI of every instance; null = the latest Amazon Linux 2023 x86_64 (the bootstrap uses dnf, or apt-get on Debian/Ubuntu)."
  type        = string
  default     = null
  validation {
    condition     = var.ami_id == null || can(regex("^ami-[0-9a-f]+$", var.ami_id))
    error_message = "ami_id must look like ami-0123456789abcdef0."
  }
}

variable "dax_instance_type" {
  description = "Instance type of the DAX servers. The default has a local NVMe instance store (i4i.large: 2 vCPU, 16 GiB, 468 GB NVMe)."
  type        = string
  default     = "i4i.large"
}

variable "dax_data_storage" {
  description = "Where DAX servers keep their data: instance-store (the type's local NVMe, lost on stop) or ebs (a volume per server)."
  type        = string
  default     = "instance-store"
  validation {
    condition     = contains(["instance-store", "ebs"], var.dax_data_storage)
    error_message = "dax_data_storage must be instance-store or ebs."
  }
}

variable "dax_ebs" {
  description = "EBS data volumes when dax_data_storage = ebs: size, type (gp3, io2), IOPS, gp3 throughput."
  type = object({
    size_gib         = optional(number, 100)
    type             = optional(string, "gp3")
    iops             = optional(number, 6000)
    throughput_mibps = optional(number, 250)
  })
  default = {}
  validation {
    condition     = contains(["gp3", "io2"], var.dax_ebs.type) && var.dax_ebs.size_gib >= 10
    error_message = "dax_ebs.type must be gp3 or io2 and size_gib at least 10."
  }
}

variable "node_instance_type" {
  description = "Instance type of the two database nodes."
  type        = string
  default     = "r6i.large"
}

variable "client_instance_type" {
  description = "Instance type of the client/driver instance (TPC-C driver, proxy, Prometheus)."
  type        = string
  default     = "c6i.xlarge"
}

variable "ssh_public_key" {
  description = "OpenSSH public key for SSH as ec2-user, or null to use SSM Session Manager only."
  type        = string
  default     = null
  validation {
    condition     = var.ssh_public_key == null || can(regex("^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp[0-9]+) ", var.ssh_public_key))
    error_message = "ssh_public_key must be an OpenSSH public key line (ssh-ed25519 AAAA...)."
  }
}

variable "ssh_allowed_cidrs" {
  description = "Networks allowed to SSH to the instances (with ssh_public_key), e.g. [\"203.0.113.7/32\"]."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for c in var.ssh_allowed_cidrs : can(cidrhost(c, 0))])
    error_message = "ssh_allowed_cidrs must be IPv4 CIDR blocks."
  }
}

variable "enable_ssm" {
  description = "Allow SSM Session Manager / Run Command (no inbound port needed)."
  type        = bool
  default     = true
  validation {
    condition     = var.enable_ssm || var.ssh_public_key != null
    error_message = "Enable SSM or give an ssh_public_key: otherwise nobody can reach the instances."
  }
}

variable "client_allowed_cidrs" {
  description = "Networks allowed to reach the proxy (6432) and Prometheus (9090) on the client instance."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for c in var.client_allowed_cidrs : can(cidrhost(c, 0))])
    error_message = "client_allowed_cidrs must be IPv4 CIDR blocks."
  }
}

variable "lease_duration_millis" {
  description = "The nodes' lease duration (renewals, polls and heartbeats are derived from it): how fast a standby takes over."
  type        = number
  default     = 500
}

variable "enable_proxy" {
  description = "Run cacdb-proxy on the client instance (needs a cacdb build with the proxy command)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Extra tags on every resource."
  type        = map(string)
  default     = {}
}
