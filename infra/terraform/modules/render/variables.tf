variable "dax_servers" {
  description = "DAX servers in cluster-map order: name (d1..), private address, availability zone, and where the data directory lives (instance-store or ebs)."
  type = list(object({
    name         = string
    address      = string
    zone         = string
    data_storage = string
  }))
  validation {
    condition     = length(var.dax_servers) >= 2 && length(distinct([for s in var.dax_servers : s.zone])) >= 2
    error_message = "A cluster needs at least two DAX servers in at least two zones (a write quorum must span two zones)."
  }
  validation {
    condition     = alltrue([for s in var.dax_servers : can(regex("^[A-Za-z0-9._-]{1,64}$", s.name)) && can(regex("^[A-Za-z0-9._-]{1,64}$", s.zone))])
    error_message = "DAX server names and zones must be 1-64 of [A-Za-z0-9._-] (the cluster map's label rule)."
  }
  validation {
    condition     = alltrue([for s in var.dax_servers : contains(["instance-store", "ebs"], s.data_storage)])
    error_message = "data_storage must be instance-store or ebs."
  }
}

variable "nodes" {
  description = "Database nodes: name, private address, availability zone, start role (auto for the first, standby for the others)."
  type = list(object({
    name    = string
    address = string
    zone    = string
    role    = string
  }))
  validation {
    condition     = length(var.nodes) >= 1 && alltrue([for n in var.nodes : contains(["auto", "active", "standby"], n.role)])
    error_message = "At least one node; role is auto, active or standby."
  }
}

variable "client_address" {
  description = "Private address of the client/driver instance (runs the proxy, Prometheus and the TPC-C driver)."
  type        = string
}

variable "quorum" {
  description = "Replication: each segment has replicas copies; a write waits for write_quorum, a quorum read for read_quorum."
  type = object({
    replicas     = number
    write_quorum = number
    read_quorum  = number
  })
  default = { replicas = 6, write_quorum = 4, read_quorum = 3 }
  validation {
    condition     = var.quorum.write_quorum * 2 > var.quorum.replicas && var.quorum.read_quorum + var.quorum.write_quorum > var.quorum.replicas && var.quorum.write_quorum <= var.quorum.replicas && var.quorum.read_quorum <= var.quorum.replicas
    error_message = "Need W > N/2, R + W > N and W, R <= N (QuorumConfig's rules)."
  }
}

variable "ports" {
  description = "TCP ports of every role (the cacdb defaults)."
  type = object({
    dax_rpc     = optional(number, 7400)
    dax_admin   = optional(number, 7480)
    pg          = optional(number, 5432)
    node_admin  = optional(number, 8480)
    ha          = optional(number, 8432)
    proxy       = optional(number, 6432)
    proxy_admin = optional(number, 6480)
    prometheus  = optional(number, 9090)
  })
  default = {}
}

variable "artifact_bucket" {
  description = "S3 bucket holding the cacdb tarball."
  type        = string
}

variable "artifact_key" {
  description = "S3 key of the cacdb tarball (cacdb-VERSION.tar.gz)."
  type        = string
}

variable "database_user" {
  description = "User name in the JDBC URL and psql line (the nodes run with auth = trust inside the VPC)."
  type        = string
  default     = "cacdb"
}

variable "lease_duration_millis" {
  description = "The nodes' lease duration: how long a standby waits without renewals before it takes over."
  type        = number
  default     = 500
  validation {
    condition     = var.lease_duration_millis >= 300 && var.lease_duration_millis <= 60000
    error_message = "lease_duration_millis must be in 300..60000."
  }
}

variable "scrape_interval_seconds" {
  description = "Prometheus scrape interval."
  type        = number
  default     = 5
  validation {
    condition     = var.scrape_interval_seconds >= 1 && var.scrape_interval_seconds <= 300
    error_message = "scrape_interval_seconds must be in 1..300."
  }
}

variable "prometheus_version" {
  description = "Prometheus release the client instance downloads from GitHub (an estimate of a current LTS; any 2.x/3.x works)."
  type        = string
  default     = "2.53.4"
}

variable "enable_proxy" {
  description = "Start cacdb-proxy on the client instance (needs a cacdb build with the proxy command)."
  type        = bool
  default     = true
}
