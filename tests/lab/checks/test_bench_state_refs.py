"""The benchmark repository with `!terraform.state` references (bench/gen_atmos_repo.py --state-refs) and its
lab: the references are spread evenly over the sources, the literal twin differs only in their values, the
generated scenario and seeds give every source a readable state object behind the backend's role, and the
backends atmos computes for the sources are the ones seeded. Starts its own lab; ATMOS_BINARY (set by CTest)
is the atmos to ask for the backends."""

import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import botocore.exceptions
import yaml

from labcase import LabClient, error_code
from labctl import LabProcess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
GENERATOR = os.path.join(ROOT, "bench", "gen_atmos_repo.py")
LABCTL = os.path.join(ROOT, "tests", "lab", "labctl.py")
SHAPE = ["--small", "--orgs", "2", "--seed", "3"]
REFS, SOURCES = 12, 4
REFERENCE = re.compile(r"^ +upstream_id: !terraform\.state (\S+) (\S+) id$", re.M)


def generate(out: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, GENERATOR, "--out", out, *SHAPE, *args], capture_output=True, text=True, timeout=120)


def read_tree(root: str) -> dict[str, str]:
    tree = {}
    for directory, _, files in os.walk(root):
        for name in files:
            path = os.path.join(directory, name)
            with open(path, encoding="utf-8") as handle:
                tree[os.path.relpath(path, root)] = handle.read()
    return tree


class Generator(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="bench-refs-")
        for name, args in (("plain", ()), ("refs", ("--state-refs", str(REFS), "--state-sources", str(SOURCES))),
                           ("literal", ("--state-refs", str(REFS), "--state-sources", str(SOURCES), "--literal"))):
            result = generate(os.path.join(cls.tmp, name), *args, "--verify")
            if result.returncode != 0:
                raise AssertionError(f"generator ({name}) failed: {result.stderr}")
        cls.plain, cls.refs, cls.literal = (read_tree(os.path.join(cls.tmp, n)) for n in ("plain", "refs", "literal"))
        cls.states = json.loads(cls.refs["lab/states.json"])["states"]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def references(self) -> list[tuple[str, str]]:
        return [match for text in self.refs.values() for match in REFERENCE.findall(text)]

    def test_ReferencesAreSpreadEvenlyOverTheSources(self):
        per_source = collections.Counter(self.references())
        self.assertEqual(sum(per_source.values()), REFS)
        self.assertEqual(sorted(per_source.values()), [REFS // SOURCES] * SOURCES)
        self.assertEqual(len(self.states), SOURCES)
        self.assertEqual(sorted(f"{stack}-{component}" for component, stack in per_source),
                         sorted(state["workspace"] for state in self.states))

    def test_OnlyTheReferencesAndTheirStubsDifferFromThePlainRepository(self):
        self.assertEqual(set(self.refs) - set(self.plain), {"lab/states.json", "lab/scenario.yaml"})
        self.assertEqual(set(self.literal), set(self.plain))
        for path, text in self.plain.items():
            with self.subTest(path=path):
                if path.endswith(".tf"):
                    stub = 'variable "upstream_id" {\n  type    = any\n  default = null\n}\n\n'
                    self.assertEqual(self.refs[path].replace(stub, ""), text)
                    self.assertEqual(self.literal[path], self.refs[path])
                else:
                    self.assertEqual(re.sub(r"\n +upstream_id: [^\n]*", "", self.refs[path]), text)
                    self.assertEqual(re.sub(r"\n +upstream_id: [^\n]*", "", self.literal[path]), text)

    def test_TheLiteralTwinHoldsWhatEachReferenceReads(self):
        outputs = {state["workspace"]: state["outputs"]["id"] for state in self.states}
        for path in self.plain:
            literal = self.literal[path].splitlines()
            for number, line in enumerate(self.refs[path].splitlines()):
                found = REFERENCE.match(line)
                if found:
                    component, stack = found.groups()
                    self.assertEqual(literal[number].split(": ", 1)[1], outputs[f"{stack}-{component}"])

    def test_TagsAreWrittenPlainAndLoadAsTags(self):
        sample = next(text for text in self.refs.values() if "!terraform.state" in text)
        self.assertNotIn("!terraform.state '", sample)
        loader = type("Loader", (yaml.SafeLoader,), {})
        seen = []
        loader.add_constructor("!terraform.state", lambda l, node: seen.append(l.construct_scalar(node)) or "")
        yaml.load(sample, Loader=loader)
        self.assertTrue(seen and all(len(args.split()) == 3 for args in seen))

    def test_BadOptionsAreRefused(self):
        cases = [
            (("--state-refs", "60", "--state-sources", "20"), "--state-refs 60 with --state-sources 20 needs 80 real component "
                                                            "instances; this shape has 66"),
            (("--literal",), "--literal needs --state-refs"),
            (("--state-refs", "4", "--state-sources", "0"), "--state-sources >= 1"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                out = os.path.join(self.tmp, "bad")
                result = generate(out, *args)
                self.assertNotEqual(result.returncode, 0)
                self.assertIn(message, result.stderr)


class GeneratedLab(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="bench-refs-lab-")
        cls.repo = os.path.join(cls.tmp, "refs")
        result = generate(cls.repo, "--state-refs", str(REFS), "--state-sources", str(SOURCES))
        if result.returncode != 0:
            raise AssertionError(f"generator failed: {result.stderr}")
        cls.process = LabProcess(os.path.join(cls.tmp, "lab"), os.path.join(cls.repo, "lab", "scenario.yaml"), idle_timeout=120).start()
        cls.lab = LabClient(cls.process)
        seeded = subprocess.run([sys.executable, LABCTL, "seed", "--state-dir", cls.process.state_dir,
                                 os.path.join(cls.repo, "lab", "states.json")], capture_output=True, text=True, timeout=60)
        if seeded.returncode != 0:
            raise AssertionError(f"labctl seed failed: {seeded.stderr}")
        cls.seeded = seeded.stdout.splitlines()
        with open(os.path.join(cls.repo, "lab", "states.json"), encoding="utf-8") as handle:
            cls.states = json.load(handle)["states"]

    @classmethod
    def tearDownClass(cls):
        cls.process.stop()
        shutil.rmtree(cls.tmp)

    def bench_keys(self) -> dict:
        return self.lab.user_keys("bench")

    def role(self, org: str) -> dict:
        sts = self.lab.client("sts", self.bench_keys())
        account = self.lab.account_id(org)
        return sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{org}-tfstate", RoleSessionName="bench")["Credentials"]

    def test_EveryStateIsSeededWhereTheBackendPointsAndReadOnceEach(self):
        self.assertEqual(self.seeded, [f"s3://{s['bucket']}/{s['workspace_key_prefix']}/{s['workspace']}/terraform.tfstate"
                                       for s in self.states])
        self.lab.post("/_lab/counters/reset", {})
        for state in self.states:
            s3 = self.lab.client("s3", self.role(state["bucket"].removesuffix("-tfstate")))
            key = f"{state['workspace_key_prefix']}/{state['workspace']}/terraform.tfstate"
            document = json.loads(s3.get_object(Bucket=state["bucket"], Key=key)["Body"].read())
            self.assertEqual(document["outputs"]["id"], {"value": state["outputs"]["id"], "type": "string"})
        counters = self.lab.get("/_lab/counters")
        self.assertEqual(counters["counts"]["s3:GetObject"], SOURCES)
        self.assertEqual(sorted(counters["objects"]["s3:GetObject"].values(), key=str), [{"200": 1}] * SOURCES)

    def test_OnlyTheOrgsRoleReadsItsBucket(self):
        state = self.states[0]
        key = f"{state['workspace_key_prefix']}/{state['workspace']}/terraform.tfstate"
        own = state["bucket"].removesuffix("-tfstate")
        other = next(org["name"] for org in self.lab.state["accounts"] if org["name"] not in (own, "bench"))
        for credentials in (self.bench_keys(), self.role(other)):
            with self.assertRaises(botocore.exceptions.ClientError) as raised:
                self.lab.client("s3", credentials).get_object(Bucket=state["bucket"], Key=key)
            self.assertEqual(error_code(raised.exception), "AccessDenied")

    def test_AtmosComputesTheSeededBackends(self):
        binary = os.environ.get("ATMOS_BINARY", "")
        if not os.access(binary, os.X_OK):
            self.skipTest("ATMOS_BINARY (build/atmos) is not set; CTest sets it")
        env = {**os.environ, "ATMOS_GIT_ROOT_BASEPATH": "false", "HOME": self.tmp}
        for state in self.states:
            component = state["outputs"]["name"]
            stack = state["workspace"].removesuffix("-" + component)
            with self.subTest(component=component, stack=stack):
                result = subprocess.run([binary, "describe", "component", component, "-s", stack, "--format", "json"],
                                        cwd=self.repo, env=env, capture_output=True, text=True, timeout=120)
                self.assertEqual(result.returncode, 0, result.stderr)
                described = json.loads(result.stdout)
                backend = described["backend"]
                self.assertEqual((backend["bucket"], backend["workspace_key_prefix"], backend["key"]),
                                 (state["bucket"], state["workspace_key_prefix"], "terraform.tfstate"))
                org = state["bucket"].removesuffix("-tfstate")
                self.assertEqual(backend["role_arn"], f"arn:aws:iam::{self.lab.account_id(org)}:role/{org}-tfstate")
                self.assertNotEqual(described["metadata"]["component"], component, "workspace is <stack>-<component>")


if __name__ == "__main__":
    unittest.main()
