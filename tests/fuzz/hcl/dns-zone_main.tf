# A stand-in for a DNS zone built only from Terraform's built-in resources.
variable "namespace" { type = string }
variable "tenant" { type = string }
variable "environment" { type = string }
variable "stage" { type = string }
variable "region" { type = string }
variable "account_id" { type = string }
variable "name" { type = string }
variable "zone_name" { type = string }
variable "tags" { type = map(string) }

resource "terraform_data" "zone" {
  input = {
    name = var.zone_name
    tags = var.tags
  }
}

output "zone_name" { value = terraform_data.zone.output.name }
