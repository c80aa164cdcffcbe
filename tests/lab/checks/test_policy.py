"""The lab's IAM policy evaluator (atmoslab.policy), without a lab: principals, conditions, Deny."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from atmoslab import policy  # noqa: E402

USER = policy.Caller(account="111111111111", arn="arn:aws:iam::111111111111:user/admin")


def document(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def trust(principal, condition: dict | None = None, action: str = "sts:AssumeRole") -> dict:
    statement = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return document(statement)


class IdentityPolicies(unittest.TestCase):
    def test_WildcardActionAndResource(self):
        allow = document({"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::acme-*-tfstate/*"})
        self.assertEqual(policy.evaluate([allow], "s3:GetObject", "arn:aws:s3:::acme-dev-tfstate/key", USER), policy.ALLOW)
        self.assertEqual(policy.evaluate([allow], "s3:PutObject", "arn:aws:s3:::acme-dev-tfstate/key", USER), policy.NEUTRAL)
        self.assertEqual(policy.evaluate([allow], "s3:GetObject", "arn:aws:s3:::other/key", USER), policy.NEUTRAL)

    def test_ActionsMatchCaseInsensitively(self):
        allow = document({"Effect": "Allow", "Action": "S3:getobject", "Resource": "*"})
        self.assertEqual(policy.evaluate([allow], "s3:GetObject", "*", USER), policy.ALLOW)

    def test_ExplicitDenyWinsAcrossDocuments(self):
        allow = document({"Effect": "Allow", "Action": "*", "Resource": "*"})
        deny = document({"Effect": "Deny", "NotAction": "s3:Get*", "Resource": "*"})
        self.assertEqual(policy.evaluate([allow, deny], "s3:PutObject", "*", USER), policy.DENY)
        self.assertEqual(policy.evaluate([allow, deny], "s3:GetObject", "*", USER), policy.ALLOW)

    def test_BoolConditionNeedsThePresentKey(self):
        allow = document({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
        with_mfa = policy.Caller("111111111111", USER.arn, context=policy.context(**{"aws:MultiFactorAuthPresent": "true"}))
        without = policy.Caller("111111111111", USER.arn, context=policy.context(**{"aws:MultiFactorAuthPresent": "false"}))
        self.assertEqual(policy.evaluate([allow], "sts:AssumeRole", "*", with_mfa), policy.ALLOW)
        self.assertEqual(policy.evaluate([allow], "sts:AssumeRole", "*", without), policy.NEUTRAL)
        self.assertEqual(policy.evaluate([allow], "sts:AssumeRole", "*", USER), policy.NEUTRAL)

    def test_IfExistsAndNegatedOperatorsOnAbsentKeys(self):
        if_exists = document({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqualsIfExists": {"sts:ExternalId": "x"}}})
        negated = document({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"sts:ExternalId": "x"}}})
        self.assertEqual(policy.evaluate([if_exists], "sts:AssumeRole", "*", USER), policy.ALLOW)
        self.assertEqual(policy.evaluate([negated], "sts:AssumeRole", "*", USER), policy.ALLOW)

    def test_NumericConditions(self):
        numeric = document({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}})
        fresh = policy.Caller("1", "a", context=policy.context(**{"aws:MultiFactorAuthAge": "60"}))
        stale = policy.Caller("1", "a", context=policy.context(**{"aws:MultiFactorAuthAge": "7200"}))
        self.assertEqual(policy.evaluate([numeric], "sts:AssumeRole", "*", fresh), policy.ALLOW)
        self.assertEqual(policy.evaluate([numeric], "sts:AssumeRole", "*", stale), policy.NEUTRAL)

    def test_UnsupportedOperatorIsAnError(self):
        dated = document({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}})
        with self.assertRaises(ValueError):
            policy.evaluate([dated], "sts:AssumeRole", "*", policy.Caller("1", "a", context=policy.context(**{"aws:CurrentTime": "2029"})))


class TrustPolicies(unittest.TestCase):
    ROLE = "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"

    def test_AccountRootTrustsEveryPrincipalOfThatAccount(self):
        for principal in ("arn:aws:iam::111111111111:root", "111111111111", ["arn:aws:iam::999999999999:root", "111111111111"]):
            self.assertEqual(policy.evaluate([trust({"AWS": principal})], "sts:AssumeRole", self.ROLE, USER, trust=True), policy.ALLOW)
        other = policy.Caller(account="999999999999", arn="arn:aws:iam::999999999999:user/x")
        self.assertEqual(policy.evaluate([trust({"AWS": "111111111111"})], "sts:AssumeRole", self.ROLE, other, trust=True), policy.NEUTRAL)

    def test_RoleArnTrustsItsSessions(self):
        session = policy.Caller(
            account="111111111111",
            arn="arn:aws:sts::111111111111:assumed-role/deployer/s",
            role_arn="arn:aws:iam::111111111111:role/deployer",
        )
        document_ = trust({"AWS": "arn:aws:iam::111111111111:role/deployer"})
        self.assertEqual(policy.evaluate([document_], "sts:AssumeRole", self.ROLE, session, trust=True), policy.ALLOW)
        self.assertEqual(policy.evaluate([document_], "sts:AssumeRole", self.ROLE, USER, trust=True), policy.NEUTRAL)

    def test_FederatedPrincipalWithSubjectPatterns(self):
        provider = "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"
        document_ = trust(
            {"Federated": provider},
            {
                "StringEquals": {"token.actions.githubusercontent.com:aud": ["sts.amazonaws.com", "other"]},
                "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*:ref:refs/heads/main"},
            },
            action="sts:AssumeRoleWithWebIdentity",
        )

        def caller(sub: str, federated: str = provider) -> policy.Caller:
            values = {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": sub}
            return policy.Caller(account="222222222222", federated=federated, context=policy.context(**values))

        action = "sts:AssumeRoleWithWebIdentity"
        self.assertEqual(policy.evaluate([document_], action, "r", caller("repo:acme/infra:ref:refs/heads/main"), trust=True), policy.ALLOW)
        self.assertEqual(policy.evaluate([document_], action, "r", caller("repo:acme/infra:ref:refs/heads/dev"), trust=True), policy.NEUTRAL)
        self.assertEqual(
            policy.evaluate([document_], action, "r", caller("repo:acme/infra:ref:refs/heads/main", "arn:aws:iam::2:oidc-provider/x"), trust=True),
            policy.NEUTRAL,
        )
        self.assertEqual(policy.evaluate([document_], "sts:AssumeRole", "r", caller("repo:acme/infra:ref:refs/heads/main"), trust=True), policy.NEUTRAL)


class ResourcePolicies(unittest.TestCase):
    BUCKET = "arn:aws:s3:::acme-core-network-tfstate"
    DEV_ROLE = policy.Caller(
        account="222222222222",
        arn="arn:aws:sts::222222222222:assumed-role/reader/s",
        role_arn="arn:aws:iam::222222222222:role/reader",
    )

    def bucket_policy(self, principal, resource: str = BUCKET + "/*", effect: str = "Allow") -> dict:
        return document({"Effect": effect, "Principal": principal, "Action": "s3:GetObject", "Resource": resource})

    def test_PrincipalAndResourceMustBothMatch(self):
        grant = self.bucket_policy({"AWS": "arn:aws:iam::222222222222:root"})
        self.assertEqual(policy.evaluate([grant], "s3:GetObject", self.BUCKET + "/k", self.DEV_ROLE, resource_policy=True), policy.ALLOW)
        self.assertEqual(policy.evaluate([grant], "s3:GetObject", self.BUCKET, self.DEV_ROLE, resource_policy=True), policy.NEUTRAL)
        self.assertEqual(policy.evaluate([grant], "s3:GetObject", self.BUCKET + "/k", USER, resource_policy=True), policy.NEUTRAL)
        self.assertEqual(policy.evaluate([grant], "s3:PutObject", self.BUCKET + "/k", self.DEV_ROLE, resource_policy=True), policy.NEUTRAL)

    def test_StatementsWithoutPrincipalGrantNothing(self):
        identity_style = document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
        self.assertEqual(policy.evaluate([identity_style], "s3:GetObject", self.BUCKET + "/k", self.DEV_ROLE, resource_policy=True), policy.NEUTRAL)

    def test_AccountPrincipalsCanBeLeftOut(self):
        account = self.bucket_policy({"AWS": "222222222222"})
        role = self.bucket_policy({"AWS": "arn:aws:iam::222222222222:role/reader"})
        for document_, expected in ((account, policy.NEUTRAL), (role, policy.ALLOW)):
            decision = policy.evaluate([document_], "s3:GetObject", self.BUCKET + "/k", self.DEV_ROLE, resource_policy=True, account_principals=False)
            self.assertEqual(decision, expected)

    def test_DenyForEveryone(self):
        deny = self.bucket_policy("*", effect="Deny")
        self.assertEqual(policy.evaluate([deny], "s3:GetObject", self.BUCKET + "/k", self.DEV_ROLE, resource_policy=True), policy.DENY)


if __name__ == "__main__":
    unittest.main()
