terraform {
  required_version = ">= 1.9" # cross-variable validation
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.80" }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = merge(var.tags, { "cacdb:cluster" = var.name })
  }
}
