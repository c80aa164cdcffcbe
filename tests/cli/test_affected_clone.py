#!/usr/bin/env python3
"""End-to-end checks of `atmos describe affected --clone-target-ref`, `--ssh-key` and `--ssh-key-password`
(docs/affected.md#clone-target-ref): the base is fetched from a bare `origin` reached by a file:// URL, a local path
and ssh:// (a real sshd on 127.0.0.1 serving git-upload-pack), into clones that lack it. Each case asserts the exact
affected list or the exact error. Run: test_affected_clone.py BINARY"""
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

BINARY = None
HERE = os.path.dirname(os.path.abspath(__file__))
ACME = os.path.join(HERE, "..", "..", "examples", "acme")
ALL_STACKS = ["core-use2-audit", "core-use2-auto", "core-use2-network", "core-use2-root",
              "plat-use2-dev", "plat-use2-prod", "plat-use2-sandbox", "plat-use2-staging"]
VPC_VARS = [("vpc", s, "stack.vars") for s in ALL_STACKS]
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_SYSTEM": "/dev/null"}
KEY_PASSWORD = "correct horse battery"
PEM_PASSWORD = "pem-pass-phrase"


def git(*args, cwd):
    p = subprocess.run(["git", *args], cwd=cwd, env=dict(os.environ, **GIT_ENV), check=True, capture_output=True, text=True)
    return p.stdout.strip()


def set_vpc_subnets(repo, count):
    path = os.path.join(repo, "stacks", "catalog", "vpc.yaml")
    with open(path) as f:
        text = f.read()
    assert "max_subnet_count: 3" in text
    with open(path, "w") as f:
        f.write(text.replace("max_subnet_count: 3", "max_subnet_count: %d" % count))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Fixture:
    """origin.git: main = base → C2 (vpc max_subnet_count 3 → 4), tag v2 on C2, feature = base → vpc 5.
    stale: a full clone made before C2 was pushed (its working tree is the base). shallow: a depth-1 clone of
    feature. Both lack C2."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="atmos-affected-clone-")
        seed = os.path.join(self.tmp, "seed")
        shutil.copytree(ACME, seed, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "backend.tf.json"))
        git("init", "-q", "-b", "main", cwd=seed)
        git("add", "-A", cwd=seed)
        git("commit", "-qm", "base", cwd=seed)
        self.origin = os.path.join(self.tmp, "origin.git")
        git("clone", "-q", "--bare", seed, self.origin, cwd=self.tmp)
        self.stale = os.path.join(self.tmp, "stale")
        git("clone", "-q", "file://" + self.origin, self.stale, cwd=self.tmp)
        pusher = os.path.join(self.tmp, "pusher")
        git("clone", "-q", "file://" + self.origin, pusher, cwd=self.tmp)
        set_vpc_subnets(pusher, 4)
        git("commit", "-qam", "vpc 4", cwd=pusher)
        git("tag", "-a", "v2", "-m", "v2", cwd=pusher)
        self.c2 = git("rev-parse", "HEAD", cwd=pusher)
        git("push", "-q", "origin", "main", "v2", cwd=pusher)
        git("checkout", "-q", "-b", "feature", "HEAD~1", cwd=pusher)
        set_vpc_subnets(pusher, 5)
        git("commit", "-qam", "vpc 5", cwd=pusher)
        git("push", "-q", "origin", "feature", cwd=pusher)
        self.shallow = os.path.join(self.tmp, "shallow")
        git("clone", "-q", "--depth", "1", "--branch", "feature", "file://" + self.origin, self.shallow, cwd=self.tmp)
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        self.copies = 0

    def copy(self, src, url=None):
        """A private copy of a clone (fetching changes its object database), with origin at `url`."""
        self.copies += 1
        dst = os.path.join(self.tmp, "copy%d" % self.copies)
        shutil.copytree(src, dst, symlinks=True)
        if url is not None:
            git("remote", "set-url", "origin", url, cwd=dst)
        return dst

    def close(self):
        shutil.rmtree(self.tmp, True)


FIX = None


def setUpModule():
    global FIX
    FIX = Fixture()


def tearDownModule():
    FIX.close()


class Base(unittest.TestCase):
    def run_atmos(self, repo, *args, env=None, command=("describe", "affected")):
        full = dict(os.environ, HTTPS_PROXY="http://127.0.0.1:9", NO_PROXY="127.0.0.1,localhost", ATMOS_LOGS_LEVEL="Warning",
                    HOME=FIX.home, SSH_KNOWN_HOSTS=os.path.join(FIX.tmp, "no_known_hosts"))
        for name in ("GITHUB_ACTIONS", "SSH_AUTH_SOCK", "ATMOS_SSH_KEY", "ATMOS_SSH_KEY_PASSWORD", "ATMOS_CLONE_TARGET_REF"):
            full.pop(name, None)
        full.update(env or {})
        p = subprocess.run([BINARY, *command, *args], cwd=repo, env=full, capture_output=True, text=True,
                           timeout=120)
        for secret in (KEY_PASSWORD, PEM_PASSWORD, "BEGIN OPENSSH PRIVATE KEY", "BEGIN EC PRIVATE KEY"):
            self.assertNotIn(secret, p.stdout + p.stderr)
        return p

    def assert_affected(self, p):
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([(a["component"], a["stack"], a["affected"]) for a in json.loads(p.stdout)], VPC_VARS)

    def assert_error(self, p, *parts):
        self.assertEqual(p.returncode, 1, p.stdout)
        for part in parts:
            self.assertIn(part, p.stderr)

    def refs(self, repo):
        return git("for-each-ref", cwd=repo), os.path.exists(os.path.join(repo, ".git", "FETCH_HEAD"))


class LocalOrigin(Base):
    def test_stale_clone_default_branch_file_url(self):
        repo = FIX.copy(FIX.stale)
        before = self.refs(repo)
        self.assert_error(self.run_atmos(repo, "--base", FIX.c2), "the base '%s' does not exist" % FIX.c2)
        self.assert_affected(self.run_atmos(repo, "--clone-target-ref"))
        self.assertEqual(self.refs(repo), before)  # no reference written, no FETCH_HEAD
        self.assertEqual(git("cat-file", "-t", FIX.c2, cwd=repo), "commit")
        self.assert_affected(self.run_atmos(repo, "--base", FIX.c2))  # the objects stay in the object database

    def test_local_path_branch_tag_sha_and_variable(self):
        for args, env in ((["--base", "main"], None), (["--base", "v2"], None), (["--sha", FIX.c2], None),
                          (["--ref", "refs/heads/main"], None), (["--base", FIX.c2[:10]], None),
                          ([], {"ATMOS_CLONE_TARGET_REF": "true"})):
            with self.subTest(args=args, env=env):
                repo = FIX.copy(FIX.stale, url=FIX.origin)
                self.assert_affected(self.run_atmos(repo, *args, *([] if env else ["--clone-target-ref"]), env=env))

    def test_shallow_clone(self):
        repo = FIX.copy(FIX.shallow)
        self.assert_error(self.run_atmos(repo, "--base", "main"),
                          "is a shallow clone and does not contain the base 'main'", "git fetch --unshallow")
        before = self.refs(repo)
        self.assert_affected(self.run_atmos(repo, "--base", "main", "--clone-target-ref"))
        self.assertEqual(self.refs(repo), before)
        packs = sorted(os.listdir(os.path.join(repo, ".git", "objects", "pack")))
        self.assertFalse([d for d in os.listdir(os.path.join(repo, ".git")) if d.startswith("atmos-fetch-")])
        self.assert_affected(self.run_atmos(repo, "--base", "main", "--clone-target-ref"))  # nothing fetched again
        self.assertEqual(sorted(os.listdir(os.path.join(repo, ".git", "objects", "pack"))), packs)
        path = FIX.copy(FIX.shallow, url=FIX.origin)
        self.assert_affected(self.run_atmos(path, "--base", "refs/remotes/origin/main", "--clone-target-ref"))

    def test_missing_ref_and_commit(self):
        repo = FIX.copy(FIX.stale)
        self.assert_error(self.run_atmos(repo, "--base", "no-such-branch", "--clone-target-ref"),
                          "`origin` (file://%s) has no branch or tag 'no-such-branch'" % FIX.origin, "git ls-remote origin")
        self.assert_error(self.run_atmos(repo, "--base", "refs/heads/gone", "--clone-target-ref"),
                          "has no branch or tag 'refs/heads/gone'")
        self.assert_error(self.run_atmos(repo, "--base", "0123456789abcdef0123456789abcdef01234567", "--clone-target-ref"),
                          "the commit '0123456789abcdef0123456789abcdef01234567' is on no branch of `origin`")

    def test_bad_remote_and_flags(self):
        repo = FIX.copy(FIX.stale)
        git("remote", "remove", "origin", cwd=repo)
        self.assert_error(self.run_atmos(repo, "--clone-target-ref"),
                          "the repository at '%s' has no `origin` remote to fetch the base from" % repo, "git remote add origin")
        missing = os.path.join(FIX.tmp, "missing.git")
        git("remote", "add", "origin", missing, cwd=repo)
        self.assert_error(self.run_atmos(repo, "--clone-target-ref"), "points at '%s', which does not exist" % missing)
        self.assert_error(self.run_atmos(repo, "--clone-target-ref", "--repo-path", FIX.stale),
                          "--clone-target-ref cannot be combined with --repo-path")
        self.assert_error(self.run_atmos(repo, "--clone-target-ref", env={"ATMOS_AFFECTED_FETCH_TIMEOUT": "soon"}),
                          "ATMOS_AFFECTED_FETCH_TIMEOUT must be a number of seconds between 1 and 86400, not 'soon'")

    def test_key_errors_before_connecting(self):
        repo = FIX.copy(FIX.stale, url="ssh://git@127.0.0.1:9/origin.git")
        keys = os.path.join(FIX.tmp, "local-keys")
        os.makedirs(keys, exist_ok=True)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", KEY_PASSWORD, "-f", os.path.join(keys, "k")], check=True)
        missing = os.path.join(keys, "missing")
        self.assert_error(self.run_atmos(repo, "--clone-target-ref", "--ssh-key", missing),
                          "cannot read the SSH key '%s': No such file or directory" % missing)
        self.assert_error(self.run_atmos(repo, "--clone-target-ref", "--ssh-key", os.path.join(keys, "k.pub")),
                          "is not a PEM-encoded private key")
        self.assert_error(self.run_atmos(repo, "--clone-target-ref", "--ssh-key", os.path.join(keys, "k")),
                          "the SSH key '%s' is encrypted and no password was given" % os.path.join(keys, "k"))
        file_repo = FIX.copy(FIX.stale)
        self.assert_error(self.run_atmos(file_repo, "--clone-target-ref", "--ssh-key", os.path.join(keys, "k"),
                                         "--ssh-key-password", KEY_PASSWORD),
                          "--ssh-key was given but the `origin` remote 'file://%s' is not an SSH URL" % FIX.origin)

    def test_credentials_in_the_url_are_not_shown(self):
        repo = FIX.copy(FIX.stale, url="https://x-access-token:ghs_SECRETTOKEN@127.0.0.1:9/acme.git")
        p = self.run_atmos(repo, "--clone-target-ref")
        self.assert_error(p, "connecting to `origin` (https://***@127.0.0.1:9/acme.git) failed: ")
        self.assertNotIn("SECRETTOKEN", p.stderr)
        repo = FIX.copy(FIX.stale, url="ssh://git:hunter2pass@127.0.0.1:9/acme.git")
        p = self.run_atmos(repo, "--clone-target-ref")
        self.assert_error(p, "connecting to `origin` (ssh://git:***@127.0.0.1:9/acme.git) failed: ")
        self.assertNotIn("hunter2pass", p.stderr)

    def test_timeout(self):
        with socket.socket() as silent:  # accepts connections and never says a word
            silent.bind(("127.0.0.1", 0))
            silent.listen(4)
            port = silent.getsockname()[1]
            repo = FIX.copy(FIX.stale, url="ssh://git@127.0.0.1:%d/origin.git" % port)
            start = time.monotonic()
            p = self.run_atmos(repo, "--clone-target-ref", env={"ATMOS_AFFECTED_FETCH_TIMEOUT": "2"})
            self.assertLess(time.monotonic() - start, 15)
        self.assert_error(p, "connecting to `origin` (ssh://git@127.0.0.1:%d/origin.git) timed out after 2s" % port,
                          "ATMOS_AFFECTED_FETCH_TIMEOUT")


class SshOrigin(Base):
    """A real sshd as the current user on 127.0.0.1, serving origin.git through git-upload-pack."""

    @classmethod
    def setUpClass(cls):
        cls.dir = os.path.join(FIX.tmp, "ssh")
        os.makedirs(cls.dir)
        keygen = lambda name, *args: subprocess.run(["ssh-keygen", "-q", *args, "-f", os.path.join(cls.dir, name)],
                                                    check=True, capture_output=True)
        keygen("host", "-t", "ed25519", "-N", "")
        keygen("plain", "-t", "ed25519", "-N", "")
        keygen("protected", "-t", "ed25519", "-N", KEY_PASSWORD)
        keygen("pem", "-t", "ecdsa", "-m", "PEM", "-N", PEM_PASSWORD)
        keygen("rsa", "-t", "rsa", "-b", "2048", "-N", "")
        keygen("stranger", "-t", "ed25519", "-N", "")
        authorized = os.path.join(cls.dir, "authorized_keys")
        with open(authorized, "w") as out:
            for name in ("plain", "protected", "pem", "rsa"):
                with open(os.path.join(cls.dir, name + ".pub")) as f:
                    out.write(f.read())
        os.chmod(authorized, 0o600)
        cls.port = free_port()
        config = os.path.join(cls.dir, "sshd_config")
        with open(config, "w") as f:
            f.write("Port %d\nListenAddress 127.0.0.1\nHostKey %s\nAuthorizedKeysFile %s\nPidFile none\nStrictModes no\n"
                    "UsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
                    "PermitRootLogin prohibit-password\nLogLevel VERBOSE\n"
                    % (cls.port, os.path.join(cls.dir, "host"), authorized))
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation directory
        cls.log = open(os.path.join(cls.dir, "sshd.log"), "w")
        cls.sshd = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", config], stdout=cls.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", cls.port), timeout=1).close()
                break
            except OSError:
                if cls.sshd.poll() is not None or time.monotonic() > deadline:
                    cls.tearDownClass()
                    raise RuntimeError("sshd did not start: " + open(os.path.join(cls.dir, "sshd.log")).read())
                time.sleep(0.1)
        with open(os.path.join(cls.dir, "host.pub")) as f:
            host_key = " ".join(f.read().split()[:2])
        cls.known_hosts = os.path.join(cls.dir, "known_hosts")
        with open(cls.known_hosts, "w") as f:
            f.write("[127.0.0.1]:%d %s\n" % (cls.port, host_key))
        with open(os.path.join(cls.dir, "stranger.pub")) as f:
            stranger = " ".join(f.read().split()[:2])
        cls.wrong_known_hosts = os.path.join(cls.dir, "wrong_known_hosts")
        with open(cls.wrong_known_hosts, "w") as f:
            f.write("[127.0.0.1]:%d %s\n" % (cls.port, stranger))
        cls.url = "ssh://%s@127.0.0.1:%d%s" % (pwd.getpwuid(os.getuid()).pw_name, cls.port, FIX.origin)

    @classmethod
    def tearDownClass(cls):
        cls.sshd.terminate()
        cls.sshd.wait(10)
        cls.log.close()

    def key(self, name):
        return os.path.join(self.dir, name)

    def fetch(self, *args, known_hosts=None, env=None, repo=None):
        repo = repo or FIX.copy(FIX.stale, url=self.url)
        return self.run_atmos(repo, "--clone-target-ref", *args,
                              env=dict({"SSH_KNOWN_HOSTS": known_hosts or self.known_hosts}, **(env or {})))

    def test_key_without_password(self):
        self.assert_affected(self.fetch("--ssh-key", self.key("plain")))

    def test_shallow_clone_over_ssh(self):
        self.assert_affected(self.fetch("--base", "main", "--ssh-key", self.key("plain"),
                                        repo=FIX.copy(FIX.shallow, url=self.url)))

    def test_key_with_password(self):
        self.assert_affected(self.fetch("--ssh-key", self.key("protected"), "--ssh-key-password", KEY_PASSWORD))
        self.assert_affected(self.fetch(env={"ATMOS_SSH_KEY": self.key("protected"), "ATMOS_SSH_KEY_PASSWORD": KEY_PASSWORD}))
        self.assert_affected(self.fetch("--ssh-key", self.key("pem"), "--ssh-key-password", PEM_PASSWORD))

    def test_terraform_affected(self):
        repo = FIX.copy(FIX.stale, url=self.url)
        p = self.run_atmos(repo, "--affected", "--clone-target-ref", "--ssh-key", self.key("protected"), "--ssh-key-password",
                           KEY_PASSWORD, "--dry-run", command=("terraform", "plan"),
                           env={"SSH_KNOWN_HOSTS": self.known_hosts, "ATMOS_IDENTITY": "false"})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([line for line in p.stdout.splitlines() if line.startswith("   atmos ")],
                         ["   atmos terraform plan vpc -s " + s for s in ALL_STACKS])

    def test_wrong_or_missing_password(self):
        for name in ("protected", "pem"):
            with self.subTest(key=name):
                self.assert_error(self.fetch("--ssh-key", self.key(name), "--ssh-key-password", "not-the-password"),
                                  "the SSH key '%s' could not be decrypted with the given password" % self.key(name),
                                  "Check --ssh-key-password")
                self.assert_error(self.fetch("--ssh-key", self.key(name)),
                                  "the SSH key '%s' is encrypted and no password was given" % self.key(name))

    def test_wrong_key(self):
        self.assert_error(self.fetch("--ssh-key", self.key("stranger")),
                          "the SSH server of `origin` (%s) rejected the key '%s'" % (self.url, self.key("stranger")))
        # OpenSSH 8.8+ refuses the SHA-1 RSA signatures of Debian 12's libssh2 even for an authorised key.
        self.assert_error(self.fetch("--ssh-key", self.key("rsa")), "rejected the key", "use an Ed25519 or ECDSA key")
        self.assert_error(self.fetch(), "the SSH server of `origin` (%s) needs a key and the SSH agent gave none" % self.url,
                          "Pass the private key the server knows with --ssh-key")

    def test_host_key_checks(self):
        self.assert_error(self.fetch("--ssh-key", self.key("plain"), known_hosts=os.path.join(FIX.tmp, "none")),
                          "the SSH host key of [127.0.0.1]:%d is not in any known_hosts file" % self.port,
                          "ssh-keyscan -p %d 127.0.0.1 >> ~/.ssh/known_hosts" % self.port)
        self.assert_error(self.fetch("--ssh-key", self.key("plain"), known_hosts=self.wrong_known_hosts),
                          "the SSH host key of [127.0.0.1]:%d does not match the one in the known_hosts files (%s)"
                          % (self.port, self.wrong_known_hosts), "ssh-keygen -R '[127.0.0.1]:%d'" % self.port)
        os.makedirs(os.path.join(FIX.home, ".ssh"), exist_ok=True)
        shutil.copy(self.known_hosts, os.path.join(FIX.home, ".ssh", "known_hosts"))
        try:
            self.assert_affected(self.fetch("--ssh-key", self.key("plain"), env={"SSH_KNOWN_HOSTS": ""}))
        finally:
            os.remove(os.path.join(FIX.home, ".ssh", "known_hosts"))


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main()
