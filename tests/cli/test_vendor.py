#!/usr/bin/env python3
"""`atmos vendor pull` from vendor.yaml and component.yaml: a local git repository (cloned by libgit2 at a tag),
http archives (tar.gz, zip) and plain files from a server on 127.0.0.1, local paths, included/excluded paths,
{{.Version}} in sources and targets, mixins, tags, dry runs, and failures that leave the previous files.
Run: test_vendor.py BINARY"""
import functools
import http.server
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import threading
import unittest
import zipfile

BINARY = None

ATMOS_YAML = """
base_path: .
stacks: {base_path: stacks, included_paths: ["*.yaml"], name_template: "{{ .vars.stage }}"}
components: {terraform: {base_path: components/terraform}}
"""


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "init.defaultBranch=main", *args],
                   cwd=cwd, check=True, capture_output=True)


def tar_gz(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def zip_bytes(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


class Vendor(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="atmos-vendor-")
        # A git repository with two tags.
        cls.upstream = os.path.join(cls.tmp, "upstream")
        os.makedirs(os.path.join(cls.upstream, "modules", "vpc"))
        cls.write_file(os.path.join(cls.upstream, "modules", "vpc", "main.tf"), "# v1\n")
        cls.write_file(os.path.join(cls.upstream, "modules", "vpc", "README.md"), "readme\n")
        cls.write_file(os.path.join(cls.upstream, "modules", "vpc", "test", "x_test.tf"), "test\n")
        git(cls.upstream, "init", "-q")
        git(cls.upstream, "add", "-A")
        git(cls.upstream, "commit", "-qm", "one")
        git(cls.upstream, "tag", "1.0.0")
        cls.write_file(os.path.join(cls.upstream, "modules", "vpc", "main.tf"), "# v2\n")
        git(cls.upstream, "commit", "-qam", "two")
        git(cls.upstream, "tag", "2.0.0")
        # An HTTP server on 127.0.0.1 with archives and a file.
        cls.www = os.path.join(cls.tmp, "www")
        os.makedirs(cls.www)
        with open(os.path.join(cls.www, "dns-1.0.tar.gz"), "wb") as f:
            f.write(tar_gz({"dns/main.tf": "# dns tar\n", "dns/variables.tf": "# vars\n", "dns/notes/a.txt": "doc\n"}))
        with open(os.path.join(cls.www, "dns-1.0.zip"), "wb") as f:
            f.write(zip_bytes({"main.tf": "# dns zip\n"}))
        with open(os.path.join(cls.www, "evil.tar.gz"), "wb") as f:
            f.write(tar_gz({"../escaped.tf": "bad\n"}))
        cls.write_file(os.path.join(cls.www, "context.tf"), "# context mixin\n")
        handler = functools.partial(QuietHandler, directory=cls.www)
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.url = f"http://127.0.0.1:{cls.server.server_address[1]}"

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        shutil.rmtree(cls.tmp, True)

    @staticmethod
    def write_file(path, text):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text))

    def setUp(self):
        self.repo = tempfile.mkdtemp(prefix="repo-", dir=self.tmp)
        self.write_file(os.path.join(self.repo, "atmos.yaml"), ATMOS_YAML)
        os.makedirs(os.path.join(self.repo, "stacks"))

    def vendor_yaml(self, sources):
        self.write_file(os.path.join(self.repo, "vendor.yaml"),
                        "apiVersion: atmos/v1\nkind: AtmosVendorConfig\nspec:\n  sources:\n" + textwrap.indent(textwrap.dedent(sources), "    "))

    def run_atmos(self, *args):
        env = {"PATH": os.environ.get("PATH", ""), "HOME": self.repo, "ATMOS_GIT_ROOT_BASEPATH": "false",
               "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost"}
        return subprocess.run([BINARY, *args], cwd=self.repo, env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=120)

    def ok(self, *args):
        p = self.run_atmos(*args)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p

    def tree(self, rel):
        root = os.path.join(self.repo, rel)
        out = {}
        for d, _, files in os.walk(root):
            for f in files:
                with open(os.path.join(d, f)) as h:
                    out[os.path.relpath(os.path.join(d, f), root)] = h.read()
        return out

    def test_git_at_a_tag_with_included_and_excluded_paths(self):
        self.vendor_yaml(f"""
            - component: vpc
              source: "git::file://{self.upstream}//modules/vpc?ref={{{{.Version}}}}"
              version: 1.0.0
              targets: ["components/terraform/vpc/{{{{.Version}}}}"]
              included_paths: ["**/*.tf", "**/*.md"]
              excluded_paths: ["test/**"]
            """)
        p = self.ok("vendor", "pull")
        self.assertIn("vpc (1.0.0)", p.stderr)
        self.assertEqual(self.tree("components/terraform/vpc/1.0.0"), {"main.tf": "# v1\n", "README.md": "readme\n"})
        # The other tag, and a bare path (a git repository with ?ref) into the same target.
        self.vendor_yaml(f"""
            - component: vpc
              source: "{self.upstream}//modules/vpc?ref=2.0.0"
              targets: ["components/terraform/vpc"]
            """)
        self.ok("vendor", "pull", "-c", "vpc")
        self.assertEqual(self.tree("components/terraform/vpc")["main.tf"], "# v2\n")
        self.assertNotIn(".git", os.listdir(os.path.join(self.repo, "components/terraform/vpc")))

    def test_http_archives_and_local_paths(self):
        local = os.path.join(self.tmp, "local-module")
        self.write_file(os.path.join(local, "main.tf"), "# local\n")
        # A relative local source is resolved against vendor.yaml's directory.
        self.write_file(os.path.join(self.repo, "vendor.yaml"), f"""
            apiVersion: atmos/v1
            kind: AtmosVendorConfig
            spec:
              sources:
                - component: dns
                  source: "{self.url}/dns-{{{{.Version}}}}.tar.gz//dns"
                  version: "1.0"
                  targets: ["components/terraform/dns"]
                  excluded_paths: ["notes/**"]
                  tags: [net]
                - component: dnszip
                  source: "{self.url}/dns-1.0.zip"
                  targets: ["components/terraform/dnszip"]
                  tags: [net]
                - component: local
                  source: "{os.path.relpath(local, self.repo)}"
                  targets: ["components/terraform/local"]
                  tags: [other]
            """)
        p = self.ok("vendor", "pull", "--tags", "net", "--dry-run")
        self.assertIn("Would pull dns (1.0) from", p.stdout)
        self.assertNotIn("local", p.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.repo, "components")))
        self.ok("vendor", "pull", "--tags", "net")
        self.assertEqual(self.tree("components/terraform/dns"), {"main.tf": "# dns tar\n", "variables.tf": "# vars\n"})
        self.assertEqual(self.tree("components/terraform/dnszip"), {"main.tf": "# dns zip\n"})
        self.assertFalse(os.path.exists(os.path.join(self.repo, "components/terraform/local")))
        self.ok("vendor", "pull", "-c", "local")
        self.assertEqual(self.tree("components/terraform/local"), {"main.tf": "# local\n"})

    def test_component_yaml_with_a_mixin(self):
        self.write_file(os.path.join(self.repo, "components/terraform/vpc/component.yaml"), f"""
            apiVersion: atmos/v1
            kind: ComponentVendorConfig
            spec:
              source:
                uri: "git::file://{self.upstream}//modules/vpc?ref={{{{.Version}}}}"
                version: 2.0.0
                included_paths: ["**/*.tf"]
                excluded_paths: ["**/*_test.tf"]
              mixins:
                - uri: "{self.url}/context.tf"
                  filename: context.tf
            """)
        self.write_file(os.path.join(self.repo, "components/terraform/vpc/stale.tf"), "stale\n")
        self.ok("vendor", "pull", "-c", "vpc")
        tree = self.tree("components/terraform/vpc")
        self.assertEqual(sorted(tree), ["component.yaml", "context.tf", "main.tf"])
        self.assertEqual(tree["main.tf"], "# v2\n")
        self.assertEqual(tree["context.tf"], "# context mixin\n")

    def test_failed_pulls_leave_the_previous_files(self):
        self.vendor_yaml(f"""
            - component: vpc
              source: "git::file://{self.upstream}//modules/vpc?ref={{{{.Version}}}}"
              version: 1.0.0
              targets: ["components/terraform/vpc"]
            """)
        self.ok("vendor", "pull")
        before = self.tree("components/terraform/vpc")
        failures = [
            (f'"git::file://{self.upstream}//modules/vpc?ref=9.9.9"', "ref '9.9.9' not found"),
            (f'"{self.url}/missing.tar.gz"', "HTTP 404"),
            (f'"{self.url}/evil.tar.gz"', "outside the target"),
            (f'"git::file://{self.upstream}//modules/nope?ref=1.0.0"', "subdirectory 'modules/nope' does not exist"),
            (f'"{self.tmp}/no-such-dir"', "does not exist"),
        ]
        for source, message in failures:
            with self.subTest(source=source):
                self.vendor_yaml(f"""
                    - component: vpc
                      source: {source}
                      targets: ["components/terraform/vpc"]
                    """)
                p = self.run_atmos("vendor", "pull")
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertIn("failed to vendor vpc", p.stderr)
                self.assertIn(message, p.stderr)
                self.assertIn("vendor.yaml", p.stderr)
                self.assertEqual(self.tree("components/terraform/vpc"), before)
                self.assertEqual(sorted(os.listdir(os.path.join(self.repo, "components/terraform"))), ["vpc"])
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "escaped.tf")))

    def test_bad_configuration(self):
        p = self.run_atmos("vendor", "pull")
        self.assertEqual(p.returncode, 1)
        self.assertIn("vendor.yaml' does not exist", p.stderr)
        p = self.run_atmos("vendor", "pull", "-c", "vpc")
        self.assertIn("component vendoring config file does not exist", p.stderr)
        cases = [
            ('- component: a\n  source: x\n  targets: [a]\n  mixins: []\n', "source setting `mixins` is not supported"),
            ('- component: a\n  targets: [a]\n', "has no `source`"),
            ('- component: a\n  source: x\n', "has no `targets`"),
            ('- component: a\n  source: x\n  targets: ["."]\n', "would replace the repository itself"),
            ('- component: a\n  source: x\n  targets: [a]\n- component: a\n  source: y\n  targets: [b]\n', "duplicate component 'a'"),
            ('- component: a\n  source: "{{ .Nope | x }}"\n  targets: [a]\n', "source: template"),
        ]
        for text, message in cases:
            with self.subTest(text=text):
                self.vendor_yaml(text)
                p = self.run_atmos("vendor", "pull")
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertIn(message, p.stderr)
        self.vendor_yaml('- component: a\n  source: x\n  targets: [a]\n')
        p = self.run_atmos("vendor", "pull", "-c", "b")
        self.assertIn("component 'b' is not defined in the vendor config file", p.stderr)
        p = self.run_atmos("vendor", "pull", "--tags", "zzz")
        self.assertIn("carry the tags given with --tags", p.stderr)
        p = self.run_atmos("vendor", "pull", "--type", "helmfile")
        self.assertIn("component type 'helmfile' is not supported", p.stderr)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main()
