#!/usr/bin/env python3
"""Colors in atmos's own output (core/color.hpp): on a terminal the error report, log labels and help headings are
colored; NO_COLOR, --no-color, ATMOS_NO_COLOR, TERM=dumb, settings.terminal.color: false and pipes get no escape
code at all; --force-color, ATMOS_FORCE_COLOR and CLICOLOR_FORCE color a pipe, and NO_COLOR beats them. Colored
text is the plain text plus escape codes, nothing else. Run: test_color.py BINARY"""
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import unittest

BINARY = None
ESC = "\x1b["
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def read_all(fd):
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            raise AssertionError("no output for 30 s")
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks).decode(errors="replace")


class Color(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="atmos-color-")
        os.makedirs(os.path.join(cls.dir, "stacks"))
        with open(os.path.join(cls.dir, "stacks", "dev.yaml"), "w") as f:
            f.write("vars:\n  stage: dev\ncomponents:\n  terraform:\n    vpc:\n      vars: {}\n")
        cls.plain_dir = os.path.join(cls.dir, "plain")
        shutil.copytree(os.path.join(cls.dir, "stacks"), os.path.join(cls.plain_dir, "stacks"))
        with open(os.path.join(cls.dir, "atmos.yaml"), "w") as f:
            f.write("base_path: .\nstacks:\n  base_path: stacks\n  included_paths: ['**/*']\n  name_pattern: '{stage}'\n")
        with open(os.path.join(cls.plain_dir, "atmos.yaml"), "w") as f:
            f.write("base_path: .\nstacks:\n  base_path: stacks\n  included_paths: ['**/*']\n  name_pattern: '{stage}'\n"
                    "settings:\n  terminal:\n    color: false\n")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, True)

    def env(self, **extra):
        env = {"PATH": os.environ.get("PATH", ""), "HOME": self.dir, "TERM": "xterm-256color",
               "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost"}
        env.update(extra)
        return env

    def on_terminal(self, *args, cwd=None, **env):
        """stdout and stderr of atmos on one pseudo-terminal, and the exit code."""
        main, child = pty.openpty()
        proc = subprocess.Popen([BINARY, *args], cwd=cwd or self.dir, env=self.env(**env), stdin=child, stdout=child,
                                stderr=child, close_fds=True)
        os.close(child)
        try:
            out = read_all(main)
        finally:
            os.close(main)
        return out.replace("\r\n", "\n"), proc.wait(timeout=30)

    def on_pipes(self, *args, cwd=None, **env):
        r = subprocess.run([BINARY, *args], cwd=cwd or self.dir, env=self.env(**env), capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=30)
        return r.stdout + r.stderr, r.returncode

    def test_a_terminal_gets_colors_that_add_nothing_but_escape_codes(self):
        for args in (["frobnicate"], ["--help"], ["describe", "stacks", "--logs-level", "Debug"]):
            with self.subTest(args=args):
                colored, code = self.on_terminal(*args)
                plain, plain_code = self.on_pipes(*args)
                self.assertIn(ESC, colored)
                self.assertEqual(code, plain_code)
                # One terminal holds both streams, the pipes hold them apart: compare the lines, in any order.
                self.assertEqual(sorted(ANSI.sub("", colored).splitlines()), sorted(plain.splitlines()))
        out, _ = self.on_terminal("describe", "stacks", "--logs-level", "Debug")
        self.assertIn("\x1b[34mDEBU\x1b[0m", out)
        out, _ = self.on_terminal("frobnicate")
        self.assertIn("\x1b[1;31m# Error\x1b[0m", out)

    def test_nothing_is_colored_when_asked_not_to_or_on_a_dumb_terminal(self):
        cases = [({"NO_COLOR": "1"}, []), ({"ATMOS_NO_COLOR": "true"}, []), ({"TERM": "dumb"}, []),
                 ({"CLICOLOR": "0"}, []), ({}, ["--no-color"]), ({"NO_COLOR": "1"}, ["--force-color"])]
        for env, flags in cases:
            for args in (["frobnicate"], ["--help"], ["describe", "stacks", "--logs-level", "Debug"]):
                with self.subTest(env=env, args=flags + args):
                    out, _ = self.on_terminal(*flags, *args, **env)
                    self.assertNotIn("\x1b", out)
        out, _ = self.on_terminal("describe", "stacks", "--no-color", "--logs-level", "Debug")
        self.assertNotIn("\x1b", out)

    def test_the_config_can_turn_colors_off(self):
        out, code = self.on_terminal("describe", "stacks", "--logs-level", "Debug", cwd=self.plain_dir)
        self.assertEqual(code, 0, out)
        self.assertIn("DEBU", out)
        self.assertNotIn("\x1b", out)
        out, _ = self.on_terminal("describe", "stacks", "--logs-level", "Debug", "--force-color", cwd=self.plain_dir)
        self.assertIn("\x1b[34mDEBU", out)

    def test_pipes_are_plain_unless_colors_are_forced(self):
        out, _ = self.on_pipes("frobnicate")
        self.assertNotIn("\x1b", out)
        for env, flags in (({}, ["--force-color"]), ({"ATMOS_FORCE_COLOR": "1"}, []), ({"CLICOLOR_FORCE": "1"}, []),
                           ({"TERM": "dumb"}, ["--force-color"])):
            with self.subTest(env=env, flags=flags):
                out, code = self.on_pipes(*flags, "frobnicate", **env)
                self.assertEqual(code, 1)
                self.assertIn("\x1b[1;31m**Error:**\x1b[0m unknown command", out)
        out, _ = self.on_pipes("--force-color=false", "frobnicate")
        self.assertNotIn("\x1b", out)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main()
