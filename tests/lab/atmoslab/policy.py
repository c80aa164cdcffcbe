"""IAM policy evaluation: identity policies, role trust policies and resource policies (S3 bucket policies),
with principals and the condition operators scenarios use. moto's own evaluator ignores trust principals other
than exact ARNs, looks up cross-account roles in the wrong account, treats every condition key as absent and
never reads bucket policies.

Evaluation returns ALLOW, DENY (an explicit Deny matched) or NEUTRAL (nothing matched: implicit deny)."""

import dataclasses
import json
import re

ALLOW = "allow"
DENY = "deny"
NEUTRAL = "neutral"

IDENTITY, TRUST, RESOURCE = "identity", "trust", "resource"


@dataclasses.dataclass
class Caller:
    """Who makes a request. `arn` is the caller's own ARN (user, assumed-role session); `role_arn` the
    role behind an assumed-role session; `federated` the identity provider ARN of a web-identity call."""

    account: str
    arn: str = ""
    role_arn: str = ""
    federated: str = ""
    context: dict[str, list[str]] = dataclasses.field(default_factory=dict)

    def condition_values(self, key: str) -> list[str] | None:
        return self.context.get(key.lower())


def context(**values: str | list[str]) -> dict[str, list[str]]:
    """Builds condition-context values; keys are condition keys, case-insensitive, e.g.
    context(**{"aws:MultiFactorAuthPresent": "true"})."""
    return {key.lower(): value if isinstance(value, list) else [value] for key, value in values.items()}


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _wildcard(pattern: str, value: str, ignore_case: bool = False) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


def _matches_any(patterns, value: str, ignore_case: bool) -> bool:
    return any(_wildcard(p, value, ignore_case) for p in _as_list(patterns))


def _principal_matches(principal, caller: Caller, account_principals: bool) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for kind, values in principal.items():
        for value in _as_list(values):
            if kind == "AWS" and _aws_principal_matches(value, caller, account_principals):
                return True
            if kind == "Federated" and caller.federated and value == caller.federated:
                return True
    return False


def _aws_principal_matches(value: str, caller: Caller, account_principals: bool) -> bool:
    if not caller.arn:
        return False
    if value == "*":
        return True
    if re.fullmatch(r"\d{12}", value) or re.fullmatch(r"arn:aws:iam::\d{12}:root", value):
        return account_principals and caller.account == re.search(r"\d{12}", value).group(0)
    return value in (caller.arn, caller.role_arn)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


_OPERATORS = {
    "StringEquals": lambda want, have: have == want,
    "StringEqualsIgnoreCase": lambda want, have: have.lower() == want.lower(),
    "StringLike": lambda want, have: _wildcard(want, have),
    "ArnEquals": lambda want, have: have == want,
    "ArnLike": lambda want, have: _wildcard(want, have),
    "Bool": lambda want, have: have.lower() == str(want).lower(),
    "NumericEquals": lambda want, have: _number(have) == _number(want),
    "NumericLessThan": lambda want, have: _number(have) < _number(want),
    "NumericLessThanEquals": lambda want, have: _number(have) <= _number(want),
    "NumericGreaterThan": lambda want, have: _number(have) > _number(want),
    "NumericGreaterThanEquals": lambda want, have: _number(have) >= _number(want),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
}


def _condition_holds(operator: str, key: str, wanted, caller: Caller) -> bool:
    qualifier, _, operator = operator.rpartition(":")
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    negated = operator in _NEGATED
    test = _OPERATORS.get(_NEGATED.get(operator, operator))
    if test is None:
        raise ValueError(f"condition operator {operator!r} is not supported by the lab")
    have = caller.condition_values(key)
    if have is None:
        return if_exists or negated
    wanted = [str(w) if not isinstance(w, bool) else str(w).lower() for w in _as_list(wanted)]
    if qualifier == "ForAllValues":
        result = all(any(test(w, h) for w in wanted) for h in have)
    else:
        result = any(test(w, h) for w in wanted for h in have)
    return not result if negated else result


def _statement_applies(statement: dict, action: str, resource: str, caller: Caller, kind: str, account_principals: bool) -> bool:
    if "NotAction" in statement:
        if _matches_any(statement["NotAction"], action, ignore_case=True):
            return False
    elif not _matches_any(statement.get("Action", []), action, ignore_case=True):
        return False
    if kind in (TRUST, RESOURCE):
        if "Principal" not in statement or not _principal_matches(statement["Principal"], caller, account_principals):
            return False
    if kind != TRUST:
        if "NotResource" in statement:
            if _matches_any(statement["NotResource"], resource, ignore_case=False):
                return False
        elif not _matches_any(statement.get("Resource", []), resource, ignore_case=False):
            return False
    for operator, keys in statement.get("Condition", {}).items():
        for key, wanted in keys.items():
            if not _condition_holds(operator, key, wanted, caller):
                return False
    return True


def evaluate(documents: list, action: str, resource: str, caller: Caller, trust: bool = False,
             resource_policy: bool = False, account_principals: bool = True) -> str:
    """Evaluates policy documents (dicts or JSON strings) for `action` on `resource`. With `trust`, the
    documents are trust policies: statements match on Principal instead of Resource. With `resource_policy`
    (bucket policies), statements match on Principal and Resource. `account_principals=False` ignores
    principals that name a whole account (`123456789012`, `arn:aws:iam::123456789012:root`): in the owner's
    own account such a grant only delegates to the caller's identity policies."""
    kind = TRUST if trust else RESOURCE if resource_policy else IDENTITY
    decision = NEUTRAL
    for document in documents:
        if isinstance(document, str):
            document = json.loads(document)
        for statement in _as_list(document.get("Statement", [])):
            if not _statement_applies(statement, action, resource, caller, kind, account_principals):
                continue
            if statement.get("Effect") == "Deny":
                return DENY
            if statement.get("Effect") == "Allow":
                decision = ALLOW
    return decision

