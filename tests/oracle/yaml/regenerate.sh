#!/bin/sh
# Regenerates the YAML corpus' generated documents and every golden file from Go's yaml.v3 and encoding/json.
# Needs Debian's golang-go and golang-gopkg-yaml.v3-dev (works offline: GOPATH mode over /usr/share/gocode).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../../unit/core/data"
python3 "$here/gen_corpus.py" "$data/yaml_corpus"
rm -f "$data"/yaml_golden/*.golden
mkdir -p "$data/yaml_golden"
cd "$here"
GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= go run main.go "$data/yaml_corpus" "$data/yaml_golden"
