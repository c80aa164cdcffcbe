"""The IAM Identity Center portal (`sso`): ListAccounts and ListAccountRoles with real pagination,
GetRoleCredentials for the token's user's account assignments, and Logout. Role credentials are minted by
moto's STS for the permission set's `AWSReservedSSO_<PermissionSet>_<hash>` role in the target account, so
moto's policy check enforces what the permission set allows."""

import base64
import binascii
import datetime
import json

from moto.sts.models import sts_backends
from werkzeug.wrappers import Response

from .errors import json_error
from .lifetimes import LifetimeSettings
from .scenario import SSO_ROLE_PATH, Organization
from .sso_oidc import SsoOidc

MAX_PAGE_SIZE = 100


def _ok(document: dict) -> Response:
    return Response(json.dumps(document), status=200, content_type="application/json")


def _unauthorized() -> Response:
    return json_error(401, "UnauthorizedException", "Session token not found or invalid")


def _invalid(message: str) -> Response:
    return json_error(400, "InvalidRequestException", message)


def _page(items: list, args, scope: str, default_size: int) -> Response | tuple[list, str | None]:
    """One page of `items` per `max_result` (else `default_size`) and `next_token`; tokens are bound to
    `scope`, the listing they came from."""
    offset = 0
    if args.get("next_token"):
        try:
            token = json.loads(base64.urlsafe_b64decode(args["next_token"]))
            offset = int(token["offset"])
            if token["scope"] != scope or not 0 <= offset <= len(items):
                raise ValueError
        except (ValueError, KeyError, TypeError, binascii.Error):
            return _invalid("Invalid nextToken provided")
    size = args.get("max_result", "")
    if size and (not size.isdigit() or not 1 <= int(size) <= MAX_PAGE_SIZE):
        return _invalid(f"maxResults must be between 1 and {MAX_PAGE_SIZE}")
    end = offset + (int(size) if size else default_size)
    next_token = None
    if end < len(items):
        next_token = base64.urlsafe_b64encode(json.dumps({"scope": scope, "offset": end}).encode()).decode()
    return items[offset:end], next_token



class SsoPortal:
    def __init__(self, organization: Organization, oidc: SsoOidc, lifetimes: LifetimeSettings) -> None:
        self._organization = organization
        self._oidc = oidc
        self._lifetimes = lifetimes

    def _assignments(self, headers) -> list[tuple[str, str]] | None:
        user = self._oidc.user_of(headers.get("x-amz-sso_bearer_token", ""))
        return None if user is None else list(self._organization.sso_users[user].assignments)

    def list_accounts(self, headers, args) -> Response:
        assignments = self._assignments(headers)
        if assignments is None:
            return _unauthorized()
        account_ids = list(dict.fromkeys(account_id for account_id, _ in assignments))
        accounts = [self._organization.account(account_id) for account_id in account_ids]
        page = _page(accounts, args, "accounts", self._organization.sso_page_size)
        if isinstance(page, Response):
            return page
        items, next_token = page
        listing = [{"accountId": a.id, "accountName": a.name, "emailAddress": a.email} for a in items]
        return _ok({"accountList": listing, **({"nextToken": next_token} if next_token else {})})

    def list_account_roles(self, headers, args) -> Response:
        assignments = self._assignments(headers)
        if assignments is None:
            return _unauthorized()
        account_id = args.get("account_id", "")
        if not account_id:
            return _invalid("accountId is required")
        roles = [name for assigned, name in assignments if assigned == account_id]
        page = _page(roles, args, f"roles:{account_id}", self._organization.sso_page_size)
        if isinstance(page, Response):
            return page
        items, next_token = page
        listing = [{"roleName": name, "accountId": account_id} for name in items]
        return _ok({"roleList": listing, **({"nextToken": next_token} if next_token else {})})

    def get_role_credentials(self, headers, args) -> Response:
        token = headers.get("x-amz-sso_bearer_token", "")
        user = self._oidc.user_of(token)
        if user is None:
            return _unauthorized()
        account_id, role_name = args.get("account_id", ""), args.get("role_name", "")
        if not account_id or not role_name:
            return _invalid("accountId and roleName are required")
        if (account_id, role_name) not in self._organization.sso_users[user].assignments:
            return json_error(403, "ForbiddenException", "No access")
        permission_set = self._organization.permission_sets[role_name]
        role_arn = f"arn:aws:iam::{account_id}:role{SSO_ROLE_PATH}{permission_set.role_name(self._organization.sso_start_url)}"
        duration = self._lifetimes.get().role_credentials or permission_set.session_duration
        assumed = sts_backends[account_id]["aws"].assume_role(
            region_name=self._organization.sso_region,
            role_session_name=user,
            role_arn=role_arn,
            policy=None,
            duration=duration,
            external_id=None,
        )
        expiration = assumed.expiration.replace(tzinfo=datetime.timezone.utc)
        return _ok(
            {
                "roleCredentials": {
                    "accessKeyId": assumed.access_key_id,
                    "secretAccessKey": assumed.secret_access_key,
                    "sessionToken": assumed.session_token,
                    "expiration": int(expiration.timestamp() * 1000),
                }
            }
        )

    def logout(self, headers) -> Response:
        if not self._oidc.logout(headers.get("x-amz-sso_bearer_token", "")):
            return _unauthorized()
        return Response(b"", status=200)

