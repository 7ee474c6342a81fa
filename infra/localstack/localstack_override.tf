# Copy to infra/terraform/localstack_override.tf (git-ignored there): Terraform merges an *_override.tf file into the
# configuration, pointing the AWS provider at LocalStack on localhost:4566 with dummy credentials.
provider "aws" {
  access_key                  = "test"
  secret_key                  = "test"
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  s3_use_path_style           = true

  endpoints {
    ec2 = "http://localhost:4566"
    iam = "http://localhost:4566"
    s3  = "http://localhost:4566"
    ssm = "http://localhost:4566"
    sts = "http://localhost:4566"
  }
}
