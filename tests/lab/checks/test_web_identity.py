"""Acceptance 3 (web identity) and the GitHub Actions OIDC issuer: AssumeRoleWithWebIdentity verifies the
JWT's signature, issuer, audience and times and the role's trust conditions on aud/sub."""

import base64
import json
import time
import unittest

import botocore.exceptions
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from labcase import error_code, lab

PLANNER = "arn:aws:iam::222222222222:role/plat-dev-planner"
TERRAFORM = "arn:aws:iam::222222222222:role/plat-dev-terraform"


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def claims_of(jwt: str) -> dict:
    return json.loads(b64url_decode(jwt.split(".")[1]))


class GithubIssuer(unittest.TestCase):
    def setUp(self):
        self.lab = lab()
        self.github = self.lab.state["github"]

    def token_request(self, authorization: str):
        path = self.github["request_url"].removeprefix(self.lab.endpoint) + "&audience=sts.amazonaws.com"
        return self.lab.call("GET", path, headers={"Authorization": authorization} if authorization else {})

    def test_RequestTokenIsRequired(self):
        self.assertEqual(self.token_request("")[0], 401)
        self.assertEqual(self.token_request("bearer not-the-token")[0], 401)
        status, body = self.token_request(f"Bearer {self.github['request_token']}")
        self.assertEqual(status, 200)
        self.assertEqual(set(body), {"value"})

    def test_TokenCarriesAudienceAndScenarioClaims(self):
        claims = claims_of(self.lab.github_jwt("sts.amazonaws.com"))
        self.assertEqual(claims["aud"], "sts.amazonaws.com")
        self.assertEqual(claims["iss"], "https://token.actions.githubusercontent.com")
        self.assertEqual(claims["repository"], "acme/infrastructure")
        self.assertEqual(claims["sub"], "repo:acme/infrastructure:ref:refs/heads/main")
        self.assertLessEqual(claims["nbf"], time.time() + 5)
        self.assertGreater(claims["exp"], time.time())

    def test_RequestTokenCanCarryOtherClaims(self):
        minted = self.lab.post("/_lab/github/request-token", {"claims": {"environment": "production"}})
        claims = claims_of(self.lab.github_jwt(request_token=minted["token"]))
        self.assertEqual(claims["sub"], "repo:acme/infrastructure:environment:production")

    def test_SignatureVerifiesAgainstPublishedJwks(self):
        jwt = self.lab.github_jwt()
        header = json.loads(b64url_decode(jwt.split(".")[0]))
        jwks = self.lab.get("/_lab/github/.well-known/jwks")
        key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
        public = rsa.RSAPublicNumbers(
            int.from_bytes(b64url_decode(key["e"]), "big"), int.from_bytes(b64url_decode(key["n"]), "big")
        ).public_key()
        signing_input, _, signature = jwt.rpartition(".")
        public.verify(b64url_decode(signature), signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        configuration = self.lab.get("/_lab/github/.well-known/openid-configuration")
        self.assertEqual(configuration["issuer"], "https://token.actions.githubusercontent.com")


class AssumeRoleWithWebIdentity(unittest.TestCase):
    def setUp(self):
        self.lab = lab()
        self.sts = self.lab.client("sts")

    def tearDown(self):
        self.lab.reset_clock()

    def assume(self, role_arn: str, jwt: str) -> dict:
        return self.sts.assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName="github-actions", WebIdentityToken=jwt)

    def assertRejected(self, role_arn: str, jwt: str, code: str):
        with self.assertRaises(botocore.exceptions.ClientError) as raised:
            self.assume(role_arn, jwt)
        self.assertEqual(error_code(raised.exception), code)

    def jwt(self, claims: dict | None = None, audience: str = "sts.amazonaws.com", key: str = "lab") -> str:
        return self.lab.post("/_lab/github/jwt", {"audience": audience, "claims": claims or {}, "key": key})["value"]

    def test_RightTokenMintsRoleCredentials(self):
        response = self.assume(TERRAFORM, self.lab.github_jwt())
        self.assertEqual(response["AssumedRoleUser"]["Arn"], "arn:aws:sts::222222222222:assumed-role/plat-dev-terraform/github-actions")
        self.assertEqual(response["SubjectFromWebIdentityToken"], "repo:acme/infrastructure:ref:refs/heads/main")
        arn = self.lab.client("sts", response["Credentials"]).get_caller_identity()["Arn"]
        self.assertEqual(arn, response["AssumedRoleUser"]["Arn"])

    def test_TokenSignedByAnotherKeyIsInvalidIdentityToken(self):
        self.assertRejected(TERRAFORM, self.jwt(key="foreign"), "InvalidIdentityToken")

    def test_TokenForAnotherAudienceIsInvalidIdentityToken(self):
        self.assertRejected(TERRAFORM, self.jwt(audience="https://github.com/acme"), "InvalidIdentityToken")

    def test_SubjectOutsideTrustPolicyIsAccessDenied(self):
        feature = self.jwt({"ref": "refs/heads/feature"})
        self.assertRejected(TERRAFORM, feature, "AccessDenied")
        self.assume(PLANNER, feature)

    def test_OtherRepositoryIsDeniedEvenForPlanner(self):
        self.assertRejected(PLANNER, self.jwt({"repository": "evil/infrastructure"}), "AccessDenied")

    def test_ExpiredTokenIsExpiredTokenException(self):
        jwt = self.lab.github_jwt()
        self.lab.shift_clock(3600)
        self.assertRejected(TERRAFORM, jwt, "ExpiredTokenException")

    def test_TokenNotYetValidIsRejected(self):
        self.assertRejected(TERRAFORM, self.jwt({"nbf": int(time.time()) + 3600}), "InvalidIdentityToken")

    def test_ForeignIssuerIsRejected(self):
        self.assertRejected(TERRAFORM, self.jwt({"iss": "https://issuer.example"}), "InvalidIdentityToken")

    def test_GarbageTokenIsRejected(self):
        self.assertRejected(TERRAFORM, "not.a.jwt-at-all", "InvalidIdentityToken")

    def test_UnknownRoleIsAccessDenied(self):
        self.assertRejected("arn:aws:iam::222222222222:role/nonexistent", self.lab.github_jwt(), "AccessDenied")


if __name__ == "__main__":
    unittest.main()
