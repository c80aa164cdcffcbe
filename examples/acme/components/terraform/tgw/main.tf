# A stand-in for the core network's transit gateway, built only from Terraform's built-in resources, so it plans
# and applies offline. Its id is derived from the stack, like a real one it never changes once applied.
variable "namespace" { type = string }
variable "tenant" { type = string }
variable "environment" { type = string }
variable "stage" { type = string }
variable "region" { type = string }
variable "account_id" { type = string }
variable "name" { type = string }
variable "amazon_side_asn" { type = number }
variable "tags" { type = map(string) }

resource "terraform_data" "tgw" {
  input = {
    id   = "tgw-${substr(sha1("${var.namespace}-${var.tenant}-${var.environment}-${var.stage}-${var.name}"), 0, 17)}"
    asn  = var.amazon_side_asn
    tags = var.tags
  }
}

output "transit_gateway_id" { value = terraform_data.tgw.output.id }
output "amazon_side_asn" { value = terraform_data.tgw.output.asn }
