# terraform -chdir=infra/terraform apply -var-file=../localstack/localstack.tfvars
name         = "cacdb-local"
region       = "us-east-1"
zones        = ["us-east-1a", "us-east-1b", "us-east-1c"]
tarball_path = "../../dist/target/cacdb-0.1.0-SNAPSHOT.tar.gz"
# LocalStack has no public SSM parameters: any AMI id that looks right (LocalStack does not boot instances).
ami_id     = "ami-0123456789abcdef0"
enable_ssm = true
