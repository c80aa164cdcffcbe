"""Generates the SigV4 differential corpus: random requests signed by botocore's SigV4Auth.

Usage: python3 gen_corpus.py OUT.jsonl [COUNT]

Each output line is one JSON object: the request (`method`, `url`, `headers` as [name, value] pairs in order,
the body as `body` text or as `body_pattern` {size, seed} for large binary bodies: byte i is
(seed + 131*i) % 251), the signing inputs (`access_key`, `secret_key`, `token` or null, `region`, `service`,
`timestamp` as YYYYMMDDTHHMMSSZ) and botocore's results (`authorization`, `x_amz_date`, `security_token` as
the X-Amz-Security-Token header after signing or null, `canonical_request` for diagnostics).

The signing time is fixed by patching botocore.auth.get_current_datetime; everything else is botocore's own
SigV4Auth.add_auth. Queries are percent-encoded the way botocore's serializers encode them
(quote(safe='-_.~')), since SigV4Auth signs the URL's query as given."""

import datetime
import json
import random
import string
import sys
from unittest import mock
from urllib.parse import quote

import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "post", "get"]
HOSTS = [
    "https://sts.amazonaws.com",
    "https://sts.us-west-2.amazonaws.com",
    "https://portal.sso.eu-central-1.amazonaws.com",
    "https://oidc.us-east-1.amazonaws.com",
    "https://STS.US-EAST-1.AMAZONAWS.COM",
    "https://sts.amazonaws.com:443",
    "https://sts.amazonaws.com:8443",
    "http://127.0.0.1:4566",
    "http://localhost",
    "http://localhost:80",
    "https://sts.cn-north-1.amazonaws.com.cn",
    "https://[::1]:8443",
]
SEGMENTS = [
    "a", "b", "foo bar", "ünïcödé", "日本語", "100%", "%41%2F", "a~b_c-d.e", ".", "..", "", "!$&'()*+,;=:@",
    "x%20y", "%", "emoji😀", "tab-free", "UPPER", "a+b", "caf\u00e9", "sp  ace", "[brackets]", "{curly}",
]
QUERY_WORDS = [
    "Action", "Version", "a", "b", "A", "B", "key", "list-type", "prefix", "max-keys", "", "ü", "spa ce", "a=b",
    "a&b", "100%", "~tilde", "plus+", "slash/", "Z", "z", "0", "dup", "emoji😀", "star*",
]
HEADER_NAMES = [
    "Content-Type", "content-type", "X-Amz-Target", "x-amz-meta-Foo", "X-Custom-Header", "Accept", "User-Agent",
    "Expect", "Connection", "X-Amzn-Trace-Id", "x-amz-sso_bearer_token", "X-Amz-User-Agent", "Content-MD5",
    "x-amz-acl", "Transfer-Encoding", "Keep-Alive", "TE", "Upgrade", "x-dup", "X-Dup", "x-empty", "Cache-Control",
]
WHITESPACE = [" ", "  ", "\t", " \t ", "\r\n ", "\r\n\t", "   "]
VALUE_WORDS = ["a", "b", "text/plain", "application/x-www-form-urlencoded; charset=utf-8", "1.0", "ünï", "x,y",
               "\"quoted\"", "AWSSecurityTokenServiceV20110615.GetCallerIdentity", "=", ";", "日本"]
SECRET_ALPHABET = string.ascii_letters + string.digits + "/+"
REGIONS = ["us-east-1", "us-west-2", "eu-west-3", "cn-north-1", "us-gov-west-1", "ap-southeast-2"]
SERVICES = ["sts", "sso", "sso-oauth", "execute-api", "iam", "s3", "awsssoportal"]


def pattern_body(size: int, seed: int) -> bytes:
    return bytes((seed + 131 * i) % 251 for i in range(size))


def random_path(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.08:
        return ""
    if shape < 0.16:
        return "/"
    path = "/" + "/".join(rng.choice(SEGMENTS) for _ in range(rng.randint(1, 5)))
    if rng.random() < 0.2:
        path += "/"
    if rng.random() < 0.1:
        path = path.replace("/", "//", 1)
    return path


def random_query(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return ""
    pairs = []
    for _ in range(rng.randint(1, 6)):
        key = quote(rng.choice(QUERY_WORDS), safe="-_.~")
        form = rng.random()
        if form < 0.1:
            pairs.append(key)
        elif form < 0.2:
            pairs.append(key + "=")
        else:
            value = quote(rng.choice(QUERY_WORDS + VALUE_WORDS), safe="-_.~")
            pairs.append(f"{key}={value}")
        if rng.random() < 0.2:
            pairs.append(pairs[-1] if rng.random() < 0.5 else f"{key}={quote(rng.choice(VALUE_WORDS), safe='-_.~')}")
    return "&".join(pairs)


def random_value(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.1:
        return ""
    words = [rng.choice(VALUE_WORDS) for _ in range(rng.randint(1, 4))]
    value = rng.choice(WHITESPACE).join(words) if shape < 0.6 else " ".join(words)
    if rng.random() < 0.3:
        value = rng.choice(WHITESPACE).lstrip("\r\n") + value + rng.choice(WHITESPACE).rstrip("\r\n\t")
    return value


def random_headers(rng: random.Random, url: str) -> list[list[str]]:
    headers = [[rng.choice(HEADER_NAMES), random_value(rng)] for _ in range(rng.randint(0, 6))]
    if rng.random() < 0.15:
        headers.append(["Host", url.split("/")[2].lower()])
    if rng.random() < 0.1:
        headers.append(["X-Amz-Content-SHA256", rng.choice(["UNSIGNED-PAYLOAD", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"])])
    if rng.random() < 0.1:
        headers.append([rng.choice(["Authorization", "authorization"]), "AWS4-HMAC-SHA256 Credential=stale"])
    if rng.random() < 0.1:
        headers.append([rng.choice(["X-Amz-Date", "x-amz-date"]), "20000101T000000Z"])
    if rng.random() < 0.1:
        headers.append([rng.choice(["X-Amz-Security-Token", "x-amz-security-token"]), "stale-token"])
    rng.shuffle(headers)
    return headers


def random_body(rng: random.Random) -> tuple[dict, bytes]:
    shape = rng.random()
    if shape < 0.3:
        return {"body": ""}, b""
    if shape < 0.5:
        text = "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2Fx&RoleSessionName=s"
        return {"body": text}, text.encode()
    if shape < 0.7:
        text = json.dumps({"clientName": "atmos", "scopes": ["sso:account:access"], "ü": "日本"}, ensure_ascii=False)
        return {"body": text}, text.encode()
    if shape < 0.95:
        text = "".join(rng.choice(string.printable + "ü日😀") for _ in range(rng.randint(1, 200)))
        return {"body": text}, text.encode()
    size, seed = rng.choice([65536, 100000, 1 << 20, 3 * 1024 * 1024 + 7]), rng.randint(0, 250)
    return {"body_pattern": {"size": size, "seed": seed}}, pattern_body(size, seed)


def random_timestamp(rng: random.Random) -> datetime.datetime:
    start = datetime.datetime(2015, 1, 1)
    return start + datetime.timedelta(seconds=rng.randint(0, 20 * 365 * 86400))


def make_case(rng: random.Random) -> dict:
    url = rng.choice(HOSTS) + random_path(rng)
    query = random_query(rng)
    if query:
        url += "?" + query
    headers = random_headers(rng, url)
    body_spec, body = random_body(rng)
    access_key = rng.choice(["AKIA", "ASIA"]) + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    secret_key = "".join(rng.choice(SECRET_ALPHABET) for _ in range(40))
    token = None
    if rng.random() < 0.5:
        token = "".join(rng.choice(SECRET_ALPHABET + "=") for _ in range(rng.randint(16, 400)))
    region, service = rng.choice(REGIONS), rng.choice(SERVICES)
    moment = random_timestamp(rng)
    method = rng.choice(METHODS)

    http_headers = HTTPHeaders()
    for name, value in headers:
        http_headers[name] = value
    request = AWSRequest(method=method, url=url, data=body, headers=http_headers)
    signer = SigV4Auth(Credentials(access_key, secret_key, token), service, region)
    canonical = []
    compute_canonical = signer.canonical_request
    signer.canonical_request = lambda r: canonical.append(compute_canonical(r)) or canonical[-1]
    with mock.patch.object(botocore.auth, "get_current_datetime", lambda *a, **k: moment):
        signer.add_auth(request)
    return {
        "method": method,
        "url": url,
        "headers": headers,
        **body_spec,
        "access_key": access_key,
        "secret_key": secret_key,
        "token": token,
        "region": region,
        "service": service,
        "timestamp": moment.strftime("%Y%m%dT%H%M%SZ"),
        "authorization": request.headers["Authorization"],
        "x_amz_date": request.headers.get("X-Amz-Date"),
        "security_token": request.headers.get("X-Amz-Security-Token"),
        "canonical_request": canonical[0],
    }


def main() -> None:
    out, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1200
    rng = random.Random(20240604)
    with open(out, "w", encoding="utf-8") as handle:
        for _ in range(count):
            handle.write(json.dumps(make_case(rng), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
