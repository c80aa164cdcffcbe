"""Run by `atmos auth exec` as the child: asks the credentials endpoint what a client, a stranger and a wrong
path get, and writes a JSON report to argv[1]. It prints no secret; the URL and token go into the report file
only so that the test can search atmos's output for them."""

import http.client
import json
import os
import sys
import urllib.parse

url = urllib.parse.urlsplit(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]


def ask(method: str, path: str, headers: dict) -> tuple[int, dict]:
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.request(method, path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, json.loads(body) if body else {}


def listening_addresses(port: int) -> list[str]:
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as handle:
            for line in handle.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, local_port = local.split(":")
                if int(local_port, 16) == port and state == "0A":
                    found.append(address)
    return found


report = {"url": os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"], "token": token, "port": url.port, "host": url.hostname,
          "path_length": len(url.path) - 1, "token_length": len(token),
          "profile": os.environ.get("AWS_PROFILE"), "credentials_file": os.environ.get("AWS_SHARED_CREDENTIALS_FILE", ""),
          "listening": listening_addresses(url.port)}
report["missing_token"] = ask("GET", url.path, {})
report["wrong_token"] = ask("GET", url.path, {"Authorization": token[:-1] + ("0" if token[-1] != "0" else "1")})
report["wrong_token_wrong_path"] = ask("GET", "/other", {"Authorization": "x"})
report["other_path"] = ask("GET", url.path + "x", {"Authorization": token})[0]
report["root_path"] = ask("GET", "/", {"Authorization": token})[0]
report["post"] = ask("POST", url.path, {"Authorization": token})[0]
try:
    report["huge"] = ask("GET", url.path, {"Authorization": token, "X-Padding": "a" * 20000})[0]
except ConnectionError:
    report["huge"] = "reset"  # the endpoint answered 431 and closed while the rest was unread
status, credentials = ask("GET", url.path, {"Authorization": token})
report["status"] = status
report["keys"] = sorted(credentials)
report["access_key_id"] = credentials.get("AccessKeyId", "")
with open(sys.argv[1], "w", encoding="utf-8") as handle:
    json.dump(report, handle)
