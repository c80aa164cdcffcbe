#!/bin/sh
# Regenerates the SigV4 differential corpus from the image's botocore (see gen_corpus.py for the format).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python3 "$here/gen_corpus.py" "$here/../../unit/aws/data/sigv4_botocore.jsonl" 1200
