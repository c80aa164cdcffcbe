#!/bin/sh
# Regenerates the golden outputs of the text/template corpus with Go's own text/template
# (Go 1.19, standard library only, no network) and the Unicode tables of the C++ port.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
data="$root/tests/unit/template/data"
export GO111MODULE=off GOFLAGS=-mod=mod GOPROXY=off
GOCACHE=${GOCACHE:-$(mktemp -d)}
export GOCACHE
cd "$here"
go run . "$data/corpus.json" > "$data/corpus.golden.json.tmp"
mv "$data/corpus.golden.json.tmp" "$data/corpus.golden.json"
go run ./unicodegen > "$root/src/template/unicode_tables.cpp.tmp"
mv "$root/src/template/unicode_tables.cpp.tmp" "$root/src/template/unicode_tables.cpp"
echo "wrote $data/corpus.golden.json and src/template/unicode_tables.cpp"
