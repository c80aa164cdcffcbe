# A stand-in for a VPC built only from Terraform's built-in resources, so it plans and applies offline.
variable "namespace" { type = string }
variable "tenant" { type = string }
variable "environment" { type = string }
variable "stage" { type = string }
variable "region" { type = string }
variable "account_id" { type = string }
variable "name" { type = string }
variable "ipv4_primary_cidr_block" { type = string }
variable "max_subnet_count" { type = number }
variable "nat_gateway_enabled" { type = bool }
variable "tags" { type = map(string) }

resource "terraform_data" "vpc" {
  input = {
    id      = "${var.namespace}-${var.tenant}-${var.environment}-${var.stage}-${var.name}"
    cidr    = var.ipv4_primary_cidr_block
    subnets = [for i in range(var.max_subnet_count) : cidrsubnet(var.ipv4_primary_cidr_block, 4, i)]
    tags    = var.tags
  }
}

output "vpc_id" { value = terraform_data.vpc.output.id }
output "vpc_cidr" { value = terraform_data.vpc.output.cidr }
output "subnet_cidrs" { value = terraform_data.vpc.output.subnets }
