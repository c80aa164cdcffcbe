"""Console federation: getSigninToken answers only for live role-session credentials, the way
`atmos auth console` calls it through AWS_ENDPOINT_URL_SIGNIN; login redirects with a valid token."""

import json
import unittest
import urllib.error
import urllib.parse
import urllib.request

from labcase import lab


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def session_parameter(credentials: dict) -> str:
    session = {
        "sessionId": credentials["AccessKeyId"],
        "sessionKey": credentials["SecretAccessKey"],
        "sessionToken": credentials["SessionToken"],
    }
    return urllib.parse.quote(json.dumps(session))


class ConsoleFederation(unittest.TestCase):
    def setUp(self):
        self.lab = lab()

    def tearDown(self):
        self.lab.reset_clock()

    def signin_token(self, credentials: dict):
        return self.lab.call("GET", f"/federation?Action=getSigninToken&Session={session_parameter(credentials)}")

    def test_RoleSessionGetsASigninTokenAndLoginRedirects(self):
        status, body = self.signin_token(self.lab.role_credentials("plat-dev", "TerraformApplyAccess"))
        self.assertEqual(status, 200)
        self.assertEqual(set(body), {"SigninToken"})
        destination = "https://console.aws.amazon.com/s3/home"
        query = urllib.parse.urlencode({"Action": "login", "Issuer": "atmos", "Destination": destination, "SigninToken": body["SigninToken"]})
        opener = urllib.request.build_opener(NoRedirect)
        with self.assertRaises(urllib.error.HTTPError) as redirect:
            opener.open(f"{self.lab.endpoint}/federation?{query}", timeout=10)
        self.assertEqual(redirect.exception.code, 302)
        self.assertEqual(redirect.exception.headers["Location"], destination)

    def test_WrongSecretIsRejected(self):
        role = self.lab.role_credentials("plat-dev", "TerraformApplyAccess")
        self.assertEqual(self.signin_token({**role, "SecretAccessKey": "w" * 40})[0], 400)

    def test_ExpiredRoleSessionIsRejected(self):
        role = self.lab.role_credentials("plat-dev", "TerraformApplyAccess")
        self.lab.shift_clock(3601)
        self.assertEqual(self.signin_token(role)[0], 400)

    def test_UserSessionCredentialsAreRejected(self):
        sts = self.lab.client("sts", self.lab.user_keys("admin"))
        self.assertEqual(self.signin_token(sts.get_session_token()["Credentials"])[0], 400)

    def test_UnknownSigninTokenDoesNotLogIn(self):
        status, _ = self.lab.call("GET", "/federation?Action=login&SigninToken=forged&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2F")
        self.assertEqual(status, 400)


if __name__ == "__main__":
    unittest.main()
