variable "name" {
  description = "Name prefix of the bucket."
  type        = string
}

variable "tarball_path" {
  description = "Local path of cacdb-VERSION.tar.gz (dist/target after ./mvnw -B package)."
  type        = string
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
