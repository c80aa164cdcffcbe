"""Scenario files: the organization a lab starts with, and building it into moto's backends.

A scenario is YAML (see scenarios/acme.yaml) with `accounts`, `organization` (its management account, every
other account a member, and the delegated administrators for centralized root access), `sso` (start URL,
permission sets, users and their account assignments), `iam` (users with access keys and virtual MFA devices,
roles with trust policies, OIDC providers), `s3.buckets`, `github` (OIDC claims) and `lifetimes`. In role names and policy
documents `${account_id}` and `${account_name}` name the account the resource is created in and
`${account_id:NAME}` is the id of account NAME.
"""

import dataclasses
import hashlib
import json
import re

import yaml
from moto.iam.models import iam_backends
from moto.organizations import utils as organizations_utils
from moto.organizations.models import FakeAccount, organizations_backends
from moto.s3.models import s3_backends

SSO_ROLE_PATH = "/aws-reserved/sso.amazonaws.com/"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"


class ScenarioError(ValueError):
    pass


@dataclasses.dataclass(frozen=True)
class Account:
    id: str
    name: str
    email: str


@dataclasses.dataclass(frozen=True)
class PermissionSet:
    name: str
    policy: dict
    session_duration: int

    def role_name(self, start_url: str) -> str:
        digest = hashlib.sha256(f"{start_url}|{self.name}".encode()).hexdigest()[:16]
        return f"AWSReservedSSO_{self.name}_{digest}"


@dataclasses.dataclass(frozen=True)
class SsoUser:
    name: str
    email: str
    assignments: tuple[tuple[str, str], ...]  # (account id, permission set name), in scenario order


@dataclasses.dataclass
class IamUser:
    account_id: str
    name: str
    arn: str = ""
    access_key_id: str = ""
    secret_access_key: str = ""
    mfa_serial: str = ""
    mfa_seed: str = ""


@dataclasses.dataclass
class Organization:
    """What the lab serves; built once at start-up, read-only afterwards."""

    accounts: list[Account]
    sso_start_url: str
    sso_region: str
    sso_default_user: str
    sso_page_size: int
    permission_sets: dict[str, PermissionSet]
    sso_users: dict[str, SsoUser]
    iam_users: list[IamUser]
    github_claims: dict
    github_request_token: str
    lifetimes: dict
    organization_id: str = ""
    # Accounts whose principals may call sts:AssumeRoot: the management account and the delegated administrators
    # for centralized root access (`organization` in the scenario; the first account manages by default).
    root_access_admins: tuple[str, ...] = ()
    management_account: str = ""

    def account(self, id_or_name: str) -> Account | None:
        return next((a for a in self.accounts if id_or_name in (a.id, a.name)), None)

    def iam_user_by_mfa_serial(self, serial: str) -> IamUser | None:
        return next((u for u in self.iam_users if u.mfa_serial and u.mfa_serial == serial), None)


def _require(mapping: dict, key: str, where: str):
    if not isinstance(mapping, dict) or key not in mapping:
        raise ScenarioError(f"{where}: missing `{key}`")
    return mapping[key]


def _account_ids(selector, names: dict[str, str], where: str) -> list[str]:
    """`selector` is "*" (every account), one account name, or a list of names."""
    if selector == "*":
        return list(names.values())
    selected = [selector] if isinstance(selector, str) else list(selector or [])
    unknown = [name for name in selected if name not in names]
    if unknown:
        raise ScenarioError(f"{where}: unknown account(s) {', '.join(map(str, unknown))}")
    return [names[name] for name in selected]


def _substitute(value, names: dict[str, str], account_id: str):
    if isinstance(value, dict):
        return {k: _substitute(v, names, account_id) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, names, account_id) for v in value]
    if isinstance(value, str):

        def replace(match: re.Match) -> str:
            if match.group(0) == "${account_name}":
                return next(name for name, id_ in names.items() if id_ == account_id)
            name = match.group(1)
            if name is None:
                return account_id
            if name not in names:
                raise ScenarioError(f"unknown account {name!r} in ${{account_id:{name}}}")
            return names[name]

        return re.sub(r"\$\{account_name\}|\$\{account_id(?::([^}]+))?\}", replace, value)
    return value


def load(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    if not isinstance(document, dict):
        raise ScenarioError(f"{path}: a scenario is a YAML mapping")
    return document


def build(document: dict, github_request_token: str) -> Organization:
    """Creates the scenario's IAM users, keys, MFA devices, roles, OIDC providers, permission-set roles and
    buckets in moto, and returns the organization with the generated keys and MFA seeds."""
    accounts = []
    for index, entry in enumerate(_require(document, "accounts", "scenario")):
        where = f"accounts[{index}]"
        account_id = str(_require(entry, "id", where))
        if not re.fullmatch(r"\d{12}", account_id):
            raise ScenarioError(f"{where}: id must be 12 digits (quote it in YAML)")
        name = _require(entry, "name", where)
        accounts.append(Account(account_id, name, entry.get("email", f"{name}@example.com")))
    names = {a.name: a.id for a in accounts}

    sso = document.get("sso", {})
    start_url = sso.get("start_url", "https://example.awsapps.com/start")
    permission_sets = {}
    for index, entry in enumerate(sso.get("permission_sets", [])):
        where = f"sso.permission_sets[{index}]"
        permission_set = PermissionSet(
            _require(entry, "name", where), _require(entry, "policy", where), int(entry.get("session_duration", 3600))
        )
        permission_sets[permission_set.name] = permission_set

    sso_users = {}
    for index, entry in enumerate(sso.get("users", [])):
        where = f"sso.users[{index}]"
        name = _require(entry, "name", where)
        assignments = []
        for assignment in entry.get("assignments", []):
            permission_set = _require(assignment, "permission_set", where)
            if permission_set not in permission_sets:
                raise ScenarioError(f"{where}: unknown permission set {permission_set!r}")
            for account_id in _account_ids(_require(assignment, "accounts", where), names, where):
                if (account_id, permission_set) not in assignments:
                    assignments.append((account_id, permission_set))
        sso_users[name] = SsoUser(name, entry.get("email", f"{name}@example.com"), tuple(assignments))
    default_user = sso.get("default_user", next(iter(sso_users), ""))
    if sso_users and default_user not in sso_users:
        raise ScenarioError(f"sso.default_user: unknown user {default_user!r}")

    organization = Organization(
        accounts=accounts,
        sso_start_url=start_url,
        sso_region=sso.get("region", "us-east-1"),
        sso_default_user=default_user,
        sso_page_size=int(sso.get("page_size", 20)),
        permission_sets=permission_sets,
        sso_users=sso_users,
        iam_users=[],
        github_claims=dict(document.get("github", {}).get("claims", {})),
        github_request_token=document.get("github", {}).get("request_token", github_request_token),
        lifetimes=dict(document.get("lifetimes", {})),
    )
    org = document.get("organization", {})
    (organization.management_account,) = _account_ids(org.get("management_account", accounts[0].name), names, "organization")
    delegated = _account_ids(org.get("root_access_delegated_admins", []), names, "organization")
    organization.root_access_admins = (organization.management_account, *delegated)
    _build_permission_set_roles(organization, names)
    _build_iam(document.get("iam", {}), names, organization)
    if "organization" in document:
        _build_organization(document["organization"], organization, names)
    for index, entry in enumerate(document.get("s3", {}).get("buckets", [])):
        where = f"s3.buckets[{index}]"
        (account_id,) = _account_ids(_require(entry, "account", where), names, where)
        s3_backends[account_id]["aws"].create_bucket(_require(entry, "name", where), entry.get("region", "us-east-1"))
    return organization


def _build_organization(entry, organization: Organization, names: dict[str, str]) -> None:
    """The AWS Organization: its management account and every other scenario account as a member, with the
    scenario's ids, names and emails (moto would invent account ids)."""
    (management,) = _account_ids(_require(entry, "management_account", "organization"), names, "organization")
    backend = organizations_backends[management]["aws"]
    backend.create_organization(region="us-east-1", FeatureSet="ALL")
    backend.org.master_account_email = organization.account(management).email
    for account in organization.accounts:
        if account.id == management:
            member = backend.accounts[0]
        else:
            member = FakeAccount(backend.org, AccountName=account.name, Email=account.email)
            member.id = account.id
            backend.accounts.append(member)
            for policy_id in (organizations_utils.DEFAULT_SCP_POLICY_ID, organizations_utils.DEFAULT_RCP_POLICY_ID):
                backend.attach_policy(PolicyId=policy_id, TargetId=member.id)
            organizations_backends.master_accounts[member.id] = (management, "aws")
        member.name, member.email = account.name, account.email
    organization.organization_id = backend.org.id


def _build_permission_set_roles(organization: Organization, names: dict[str, str]) -> None:
    created = set()
    for user in organization.sso_users.values():
        for account_id, name in user.assignments:
            if (account_id, name) in created:
                continue
            created.add((account_id, name))
            permission_set = organization.permission_sets[name]
            iam = iam_backends[account_id]["aws"]
            saml_provider = f"arn:aws:iam::{account_id}:saml-provider/AWSSSO_{account_id}_DO_NOT_DELETE"
            trust = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Federated": saml_provider},
                        "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
                    }
                ],
            }
            role_name = permission_set.role_name(organization.sso_start_url)
            iam.create_role(
                role_name,
                json.dumps(trust),
                SSO_ROLE_PATH,
                None,
                f"Permission set {name}",
                [],
                str(permission_set.session_duration),
            )
            iam.put_role_policy(role_name, "AwsSSOInlinePolicy", json.dumps(_substitute(permission_set.policy, names, account_id)))


def _build_iam(iam: dict, names: dict[str, str], organization: Organization) -> None:
    for index, entry in enumerate(iam.get("users", [])):
        where = f"iam.users[{index}]"
        (account_id,) = _account_ids(_require(entry, "account", where), names, where)
        backend = iam_backends[account_id]["aws"]
        user = IamUser(account_id, _require(entry, "name", where))
        user.arn = backend.create_user("us-east-1", user.name).arn
        for policy_name, document in entry.get("policies", {}).items():
            backend.put_user_policy(user.name, policy_name, json.dumps(_substitute(document, names, account_id)))
        if entry.get("access_key", True):
            key = backend.create_access_key(user.name)
            user.access_key_id, user.secret_access_key = key.access_key_id, key.secret_access_key
        if entry.get("mfa_device"):
            device = backend.create_virtual_mfa_device(entry["mfa_device"], "/")
            backend.enable_mfa_device(user.name, device.serial_number, "000000", "000000")
            user.mfa_serial, user.mfa_seed = device.serial_number, device.base32_string_seed
        organization.iam_users.append(user)

    for index, entry in enumerate(iam.get("roles", [])):
        where = f"iam.roles[{index}]"
        for account_id in _account_ids(_require(entry, "accounts", where), names, where):
            backend = iam_backends[account_id]["aws"]
            name = _substitute(_require(entry, "name", where), names, account_id)
            trust = _substitute(_require(entry, "trust", where), names, account_id)
            backend.create_role(
                name, json.dumps(trust), entry.get("path", "/"), None, "", [], str(entry.get("max_session_duration", 3600))
            )
            for policy_name, document in entry.get("policies", {}).items():
                backend.put_role_policy(name, policy_name, json.dumps(_substitute(document, names, account_id)))

    for index, entry in enumerate(iam.get("oidc_providers", [])):
        where = f"iam.oidc_providers[{index}]"
        for account_id in _account_ids(_require(entry, "accounts", where), names, where):
            iam_backends[account_id]["aws"].create_open_id_connect_provider(
                entry.get("url", GITHUB_ISSUER),
                ["6938fd4d98bab03faadb97b34396831e3780aea1"],
                entry.get("client_ids", ["sts.amazonaws.com"]),
                [],
            )
