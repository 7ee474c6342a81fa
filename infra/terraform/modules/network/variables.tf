variable "name" {
  description = "Name prefix of every resource."
  type        = string
}

variable "region" {
  description = "AWS region (for the S3 gateway endpoint's service name)."
  type        = string
}

variable "zones" {
  description = "Exactly three availability zones."
  type        = list(string)
  validation {
    condition     = length(var.zones) == 3 && length(distinct(var.zones)) == 3
    error_message = "zones must be three distinct availability zones."
  }
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC; subnets are its /24s number 1, 2, 3 (for a /16)."
  type        = string
}

variable "dax_servers_per_zone" {
  description = "DAX servers in each zone."
  type        = number
}

variable "ports" {
  description = "Ports of each role (the render module's ports)."
  type = object({
    dax_rpc    = number
    dax_admin  = number
    pg         = number
    node_admin = number
    ha         = number
    proxy      = number
    prometheus = number
  })
}

variable "ssh_enabled" {
  description = "Open port 22 from ssh_allowed_cidrs."
  type        = bool
}

variable "ssh_allowed_cidrs" {
  description = "Networks allowed to SSH to the instances."
  type        = list(string)
}

variable "client_allowed_cidrs" {
  description = "Networks allowed to reach the proxy and Prometheus on the client instance."
  type        = list(string)
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
