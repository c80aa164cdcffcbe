variable "region" {
  type        = string
  description = "AWS region"
  default     = "us-east-2"
}

variable "tags" {
  type    = map(string)
  default = { Team = "core", "Env" = "dev" }
}

variable "subnets" {
  type = list(object({ cidr = string, public = bool }))
  default = [
    { cidr = "10.0.0.0/24", public = true },
  ]
  validation {
    condition     = length(var.subnets) > 0
    error_message = "At least one subnet."
  }
}

output "name" {
  value = "${var.region}-${local.stage}"
}

locals {
  stage = lookup(var.tags, "Env", "dev")
  heredoc = <<-EOT
    multi
    line
  EOT
}
