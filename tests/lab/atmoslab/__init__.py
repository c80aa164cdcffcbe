"""The local AWS lab: moto wrapped with IAM Identity Center, validating STS, a GitHub OIDC issuer,
console federation, fault injection and inspection, served on one loopback port."""
