#!/usr/bin/env python3
"""The repository stands alone: no file cites a document that is not in it.

Scans src/, tests/, docs/, scripts/, bench/, examples/, README.md and CMakeLists.txt for
  - the names of design documents that were never part of this repository (the product brief, the
    architecture notes, the auth/stacks behaviour notes, the lab notes, …) and section signs pointing into
    them (`§3.6`; `RFC 3986 §5.2.4` is fine);
  - paths into the folder beside the checkout that holds the design notes (`<parent>/shared/…`);
  - `*.md` files that exist neither beside the citing file nor at the repository root (unless the line says
    it cites upstream's repository: `upstream's docs/prd/x.md`, `cloudposse/atmos …/x.md`);
  - `docs/….md#anchor` links whose heading does not exist.
Upstream's own files copied into the repository (tests/conformance/upstream/repo, the NOTICE and LICENSE
files) are only checked for the first two.

Usage: check_citations.py REPO_ROOT. Exits 1 and lists every offending line."""

import os
import re
import sys

SCANNED = ["src", "tests", "docs", "scripts", "bench", "examples", "README.md", "CMakeLists.txt"]
UPSTREAM_COPIES = [os.path.join("tests", "conformance", "upstream", "repo")]
UPSTREAM_FILES = re.compile(r"(^|/)(NOTICE|LICENSE)[^/]*$")
SELF = os.path.join("tests", "docs", "check_citations.py")

# Built from parts so this file does not cite them itself.
EXTERNAL_DOCS = ["PRODUCT", "ARCHITECTURE", "atmos-auth", "atmos-stacks", "peers", "dependencies"]
FORBIDDEN = [
    (re.compile(r"(?<![\w/.-])(" + "|".join(map(re.escape, EXTERNAL_DOCS)) + r")\.md\b"), "a document outside the repository"),
    (re.compile(r"(\.\./|\b)shared/(spec|bench|seed)\b"), "a path outside the checkout"),
    (re.compile(r"product\s+brief|\bthe\s+brief\b", re.I), "the product brief, which is not in the repository"),
    (re.compile(r"\bthe\s+spec\b(?![.\w])|\bspec\s+\d+(\.\d+)*\b", re.I), "a specification that is not in the repository"),
]
SECTION = re.compile(r"§\s*\d")
RFC_BEFORE = re.compile(r"\bRFC\s*\d+\s*$")
UPSTREAM_CITATION = re.compile(r"\bupstream|cloudposse/atmos", re.I)
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.I)
MD_REF = re.compile(r"(?<![\w/.-])((?:\.{1,2}/)?[\w.-]+(?:/[\w.-]+)*\.md)(#[\w-]+)?\b")


def slug(heading):
    """GitHub's anchor for a Markdown heading."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors_of(path, cache={}):
    if path not in cache:
        with open(path, encoding="utf-8") as f:
            cache[path] = {slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", f.read(), re.M)}
    return cache[path]


def problems_in_text(text, rel, root, own_file=True):
    """(line number, line, reason) for every citation in `text` of the file `rel` that does not stand alone."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        plain = URL.sub("", line)
        reasons = [reason for pattern, reason in FORBIDDEN if pattern.search(plain)]
        if any(not RFC_BEFORE.search(plain[: m.start()]) for m in SECTION.finditer(plain)):
            reasons.append("a section sign pointing into a document outside the repository")
        for m in MD_REF.finditer(plain) if own_file and not UPSTREAM_CITATION.search(plain) else ():
            target, anchor = m.group(1), m.group(2)
            candidates = [os.path.normpath(os.path.join(root, os.path.dirname(rel), target)),
                          os.path.normpath(os.path.join(root, target))]
            existing = [c for c in candidates if os.path.isfile(c)]
            if not existing:
                reasons.append(f"{target} is not in the repository")
            elif anchor and slug(anchor[1:]) not in anchors_of(existing[0]):
                reasons.append(f"{target} has no heading for {anchor}")
        if reasons:
            found.append((number, line, "; ".join(dict.fromkeys(reasons))))
    return found


def files(root):
    for entry in SCANNED:
        top = os.path.join(root, entry)
        if os.path.isfile(top):
            yield entry
            continue
        for directory, dirs, names in os.walk(top):
            dirs[:] = [d for d in dirs if d not in (".git", "__pycache__", ".terraform")]
            for name in names:
                yield os.path.relpath(os.path.join(directory, name), root)


def scan(root):
    found = []
    for rel in sorted(files(root)):
        if rel == SELF:
            continue
        try:
            with open(os.path.join(root, rel), encoding="utf-8") as f:
                text = f.read()
        except (UnicodeDecodeError, OSError):
            continue  # binary files cite nothing
        own = not any(rel.startswith(u + os.sep) for u in UPSTREAM_COPIES) and not UPSTREAM_FILES.search(rel)
        found += [(rel,) + p for p in problems_in_text(text, rel, root, own)]
    return found


def self_check(root):
    """The patterns catch what they are for and leave legitimate text alone."""
    bad = [
        "// Identity (" + EXTERNAL_DOCS[1] + ".md)",
        "// see " + EXTERNAL_DOCS[2] + ".md §3.6",
        "// the cache rules (§4.6)",
        "# The quick start of the product " + "brief",
        "comparison rules (spec 7.5)",
        "generated with ../" + "shared/bench/gen.py",  # built from parts, as EXTERNAL_DOCS
        "see lab.md",
        "see docs/nonexistent.md",
        "see docs/auth.md#no-such-heading",
    ]
    good = [
        "// RFC 3986 §5.2.4 plus the removal of empty segments",
        "// the provider's spec.endpoint_url",
        "see docs/auth.md#fingerprints and docs/lab.md",
        "https://github.com/fatih/color/blob/v1.19.0/LICENSE.md",
        "// as upstream's pkg/auth/docs/identity-flag-behavior.md describes",
    ]
    rel = os.path.join("src", "example.cpp")
    missed = [t for t in bad if not problems_in_text(t, rel, root)]
    flagged = [t for t in good if problems_in_text(t, rel, root)]
    for t in missed:
        print(f"self-check: not caught: {t}")
    for t in flagged:
        print(f"self-check: wrongly flagged: {t}")
    return not missed and not flagged


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".."))
    if not self_check(root):
        return 1
    found = scan(root)
    for rel, number, line, reason in found:
        print(f"{rel}:{number}: {reason}\n    {line.strip()}")
    print(f"{len(found)} citation(s) of documents that are not in the repository")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
