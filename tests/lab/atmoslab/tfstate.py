"""Terraform state objects seeded straight into a state bucket, so tests can read a stack's outputs without
running Terraform (`POST /_lab/terraform-state`, `labctl.py seed`).

A seed names the object either by `key` or like Terraform's s3 backend does for a workspace:
`<workspace_key_prefix>/<workspace>/<key>` (prefix default `env:`, key default `terraform.tfstate`; the
`default` workspace uses `key` alone). Atmos sets `workspace_key_prefix` to the component and the workspace to
the stack, so `tgw` in `core-use2-network` is `tgw/core-use2-network/terraform.tfstate`.

The object is a version 4 state with `outputs` typed the way Terraform writes them and no resources."""

import dataclasses
import json
import uuid

from moto.s3.models import s3_backends

TERRAFORM_VERSION = "1.9.8"
DEFAULT_KEY = "terraform.tfstate"
DEFAULT_WORKSPACE_KEY_PREFIX = "env:"


class SeedError(ValueError):
    pass


@dataclasses.dataclass(frozen=True)
class Seed:
    bucket: str
    key: str
    outputs: dict
    sensitive: tuple[str, ...] = ()


def output_type(value, where: str):
    """Terraform's JSON type of an output value: "string", "number", "bool", ["tuple", […]], ["object", {…}]."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return ["tuple", [output_type(item, f"{where}[{index}]") for index, item in enumerate(value)]]
    if isinstance(value, dict):
        return ["object", {name: output_type(item, f"{where}.{name}") for name, item in value.items()}]
    raise SeedError(f"{where}: Terraform stores no null outputs; leave the output out instead")


def state_document(outputs: dict, sensitive: tuple[str, ...] = ()) -> dict:
    typed = {}
    for name, value in outputs.items():
        typed[name] = {"value": value, "type": output_type(value, f"outputs.{name}")}
        if name in sensitive:
            typed[name]["sensitive"] = True
    return {
        "version": 4,
        "terraform_version": TERRAFORM_VERSION,
        "serial": 1,
        "lineage": str(uuid.uuid4()),
        "outputs": typed,
        "resources": [],
        "check_results": None,
    }


def parse(spec, where: str = "state") -> Seed:
    """A seed from its JSON form: {"bucket", "key" | "workspace" [+ "workspace_key_prefix", "key"],
    "outputs": {name: value}, "sensitive": [names]}."""
    if not isinstance(spec, dict):
        raise SeedError(f"{where}: expected an object")
    bucket = spec.get("bucket")
    if not isinstance(bucket, str) or not bucket:
        raise SeedError(f"{where}: missing `bucket`")
    outputs = spec.get("outputs", {})
    if not isinstance(outputs, dict):
        raise SeedError(f"{where}: `outputs` must be an object of output name to value")
    sensitive = spec.get("sensitive", [])
    if not isinstance(sensitive, list) or not all(isinstance(name, str) for name in sensitive):
        raise SeedError(f"{where}: `sensitive` must be a list of output names")
    unknown = sorted(set(sensitive) - set(outputs))
    if unknown:
        raise SeedError(f"{where}: `sensitive` names outputs that are not set: {', '.join(unknown)}")
    key = spec.get("key", DEFAULT_KEY)
    workspace = spec.get("workspace", "default")
    prefix = spec.get("workspace_key_prefix", DEFAULT_WORKSPACE_KEY_PREFIX)
    if not all(isinstance(text, str) and text for text in (key, workspace, prefix)):
        raise SeedError(f"{where}: `key`, `workspace` and `workspace_key_prefix` must be non-empty strings")
    if workspace != "default":
        key = f"{prefix}/{workspace}/{key}"
    return Seed(bucket, key, outputs, tuple(sensitive))


def parse_all(body) -> list[Seed]:
    """The seeds of a request body: {"states": [seed, …]} or one seed."""
    if isinstance(body, dict) and "states" in body:
        if not isinstance(body["states"], list):
            raise SeedError("`states` must be a list")
        return [parse(spec, f"states[{index}]") for index, spec in enumerate(body["states"])]
    return [parse(body)]


def check_bucket(seed: Seed) -> tuple[str, str]:
    """(partition, account) owning the seed's bucket."""
    owner = s3_backends.bucket_accounts.get(seed.bucket)
    if owner is None:
        raise SeedError(f"no bucket {seed.bucket!r} in the lab (scenario `s3.buckets`)")
    return owner


def write(seed: Seed) -> None:
    """Puts the state object into the bucket's owning account, past authentication and the call counters."""
    partition, account_id = check_bucket(seed)
    body = json.dumps(state_document(seed.outputs, seed.sensitive), indent=2).encode()
    s3_backends[account_id][partition].put_object(seed.bucket, seed.key, body)
