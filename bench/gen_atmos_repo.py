#!/usr/bin/env python3
"""Generate a synthetic, deterministic Atmos repository for benchmarks.

Layout (see README.md next to this file):
  atmos.yaml                                       name_pattern {tenant}-{environment}-{stage}
  stacks/orgs/<org>/_defaults.yaml                 namespace, s3 backend, settings, tags
  stacks/orgs/<org>/<tenant>/_defaults.yaml        imports org defaults; tenant vars
  stacks/orgs/<org>/<tenant>/<stage>/_defaults.yaml  imports tenant defaults + stage mixin
  stacks/orgs/<org>/<tenant>/<stage>/<region>.yaml top-level stack: stage defaults, region mixin,
                                                   catalog imports, auth default-identity marker,
                                                   real component instances
  stacks/mixins/{region,stage}/<name>.yaml         vars/settings mixins
  stacks/catalog/<family>/defaults.yaml            abstract <family>/defaults (metadata.component)
  stacks/catalog/<family>/<variant>.yaml           abstract <family>/<variant>, inherits the previous
                                                   variant (or defaults): multi-level inherits chain
  components/terraform/<family>/main.tf            variable stubs

Same arguments + same --seed => byte-identical output.  Python 3 stdlib + PyYAML.

Cross-account state references (`--state-refs N`, for the `!terraform.state` benchmark):
  N real component instances get `vars.upstream_id: !terraform.state <component> <stack> id`, spread evenly
  over `--state-sources M` (default 50) other real instances, each referenced N/M times; with `--literal` the
  same instances get the value the reference resolves to instead (the twin repository to compare against).
  Everything else is byte-identical to the output without these options. Without `--literal` it also writes
    lab/scenario.yaml   a lab scenario (tests/lab): one account per org holding its state bucket `<org>-tfstate`
                        and the role `<org>-tfstate` of the backends' `role_arn` (reads that bucket only), and
                        the IAM user `bench` (account `bench`) that may assume those roles
    lab/states.json     the M state objects, for `tests/lab/labctl.py seed` (output `id` of each source)
  Benchmark run (authentication off, the lab user's keys as ambient credentials):
    python3 bench/gen_atmos_repo.py --out /tmp/refs --state-refs 1000
    python3 bench/gen_atmos_repo.py --out /tmp/literal --state-refs 1000 --literal
    python3 tests/lab/labctl.py start --state-dir /tmp/lab --scenario /tmp/refs/lab/scenario.yaml
    python3 tests/lab/labctl.py seed --state-dir /tmp/lab /tmp/refs/lab/states.json
    # AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: iam_users[name=bench] of GET <endpoint>/_lab/state;
    # AWS_ENDPOINT_URL_STS = AWS_ENDPOINT_URL_S3 = the endpoint; ATMOS_IDENTITY=false
    # then `atmos describe stacks` in /tmp/refs: GET <endpoint>/_lab/counters → counts["s3:GetObject"] == 50
"""
import argparse, json, os, random, re, shutil, sys

import yaml

MARKER = ".gen_atmos_repo"
ORGS = ["acme", "umbrella", "initech", "vandelay", "hooli", "stark", "wayne", "tyrell", "cyberdyne", "soylent"]
TENANTS = ["core", "plat", "data", "sec", "net", "app", "ml", "ops", "web", "iot", "edge", "bill", "auth",
           "game", "media", "pay", "search", "mail", "chat", "maps"]
STAGES = ["dev", "staging", "prod", "sandbox", "qa", "uat", "perf", "demo", "audit", "dr"]
REGIONS = [("us-east-1", "ue1"), ("us-east-2", "ue2"), ("us-west-2", "uw2"), ("eu-west-1", "ew1"),
           ("eu-central-1", "ec1"), ("ap-southeast-1", "as1"), ("ap-northeast-1", "an1"), ("sa-east-1", "se1"),
           ("ca-central-1", "cc1"), ("us-west-1", "uw1"), ("eu-north-1", "en1"), ("ap-south-1", "ap1")]
FAMILY_BASE = ["vpc", "eks-cluster", "rds", "s3-bucket", "iam-role", "lambda", "sqs-queue", "sns-topic", "dynamodb",
               "elasticache", "alb", "cloudfront", "route53-zone", "acm", "kms-key", "ecr", "ecs-service", "waf",
               "guardduty", "cloudtrail", "aws-config", "backup", "efs", "opensearch", "msk", "mq-broker",
               "api-gateway", "cognito", "secrets", "ssm-parameters", "transit-gateway", "vpn", "bastion",
               "redshift", "glue", "athena", "kinesis", "step-functions", "eventbridge", "datadog-monitors"]
VARIANTS = ["small", "medium", "large", "ha", "public", "private", "regional", "global"]
PRESETS = {
    "default": dict(orgs=3, tenants=4, stages=4, regions=4, components_per_stack=48, catalog_size=143, variants=3),
    "small": dict(orgs=1, tenants=2, stages=2, regions=2, components_per_stack=8, catalog_size=3, variants=2),
}


def pick(pool, i, prefix):
    return pool[i] if i < len(pool) else "%s%d" % (prefix, i)


class Dumper(yaml.SafeDumper):
    pass


Dumper.add_representer(dict, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data.items()))


class StateRef(str):
    """The arguments of a `!terraform.state` tag: "<component> <stack> <output>"."""


Dumper.add_representer(StateRef, lambda d, data: d.represent_scalar("!terraform.state", str(data)))


class Loader(yaml.SafeLoader):
    pass


Loader.add_constructor("!terraform.state", lambda loader, node: loader.construct_scalar(node))

BENCH_ACCOUNT = ("100000099999", "bench")


def dump(doc):
    text = yaml.dump(doc, Dumper=Dumper, sort_keys=False, default_flow_style=False, width=1000, allow_unicode=True)
    # PyYAML quotes every scalar with a custom tag; the arguments are plain words, written as people write them.
    return re.sub(r"!terraform\.state '([^'\n]*)'$", r"!terraform.state \1", text, flags=re.M)


class Repo:
    def __init__(self, a):
        self.a, self.rng, self.files, self.nimports = a, random.Random(a.seed), {}, 0
        self.stack_docs = []  # (path, document, header, org, stack name), written once state refs are placed

    def put(self, rel, text):
        self.files[rel] = text

    def yaml(self, rel, doc, header=None):
        self.nimports += len(doc.get("import", []))
        self.put(rel, ("# %s\n" % header if header else "") + dump(doc))

    def build(self):
        a, rng = self.a, self.rng
        self.orgs = [pick(ORGS, i, "org") for i in range(a.orgs)]
        self.tenants = {o: [pick(TENANTS, oi * a.tenants + ti, "t") for ti in range(a.tenants)]
                        for oi, o in enumerate(self.orgs)}
        self.stages = [pick(STAGES, i, "s") for i in range(a.stages)]
        self.regions = [REGIONS[i] if i < len(REGIONS) else ("region-%d" % i, "r%d" % i) for i in range(a.regions)]
        self.families = [FAMILY_BASE[i % len(FAMILY_BASE)] + ("" if i < len(FAMILY_BASE) else "-%d" % (i // len(FAMILY_BASE) + 1))
                         for i in range(a.catalog_size)]
        self.variants = [pick(VARIANTS, i, "v") for i in range(a.variants)]
        self.var_keys = {f: set() for f in self.families}
        self.atmos_yaml()
        self.catalog()
        self.mixins()
        self.stacks()
        if self.a.state_refs:
            self.state_refs()
        for rel, doc, header, _, _ in self.stack_docs:
            self.yaml(rel, doc, header)
        self.components()

    def atmos_yaml(self):
        ids = {}
        for o in self.orgs:
            for t in self.tenants[o]:
                for s in self.stages:
                    ids["%s-%s/terraform" % (t, s)] = {
                        "kind": "aws/permission-set", "via": {"provider": "%s-sso" % o},
                        "principal": {"name": "TerraformApplyAccess", "account": {"name": "%s-%s" % (t, s)}}}
        doc = {
            "base_path": ".",
            "components": {"terraform": {"base_path": "components/terraform", "apply_auto_approve": False,
                                         "deploy_run_init": True, "init_run_reconfigure": True,
                                         "auto_generate_backend_file": True}},
            "stacks": {"base_path": "stacks", "included_paths": ["orgs/**/*"], "excluded_paths": ["**/_defaults.yaml"],
                       "name_pattern": "{tenant}-{environment}-{stage}"},
            "logs": {"file": "/dev/stderr", "level": "Warning"},
            "settings": {"list_merge_strategy": "replace", "telemetry": {"enabled": False}},
            "auth": {"providers": {"%s-sso" % o: {"kind": "aws/iam-identity-center", "region": "us-east-1",
                                                  "start_url": "https://%s.awsapps.com/start" % o} for o in self.orgs},
                     "identities": ids},
        }
        self.yaml("atmos.yaml", doc, "Synthetic Atmos repository (gen_atmos_repo.py, seed %d)" % self.a.seed)

    def catalog(self):
        rng = self.rng
        for f in self.families:
            feats = rng.sample(["logging", "metrics", "tracing", "encryption", "backups", "alarms", "autoscaling",
                                "versioning", "replication", "waf"], 3)
            dvars = {"enabled": True, "name": f, "instance_count": rng.randint(1, 5),
                     "retention_days": rng.choice([7, 14, 30, 90, 365]), "features": feats,
                     "labels": {"component": f, "tier": rng.choice(["network", "compute", "data", "security"])},
                     "tags": {"Component": f, "ManagedBy": "atmos"}}
            self.var_keys[f].update(dvars)
            self.yaml("stacks/catalog/%s/defaults.yaml" % f, {"components": {"terraform": {"%s/defaults" % f: {
                "metadata": {"type": "abstract", "component": f},
                "settings": {"spacelift": {"workspace_enabled": True, "autodeploy": False},
                             "depends_on": {"1": {"component": "%s-%s" % (rng.choice(self.families), self.variants[0])}}},
                "vars": dvars,
                "env": {"TF_LOG": "ERROR"}}}}}, "Catalog: abstract base for %s" % f)
            prev = "%s/defaults" % f
            for vi, v in enumerate(self.variants):
                vvars = {"size": v, "instance_count": rng.randint(1, 9),
                         "features": feats[:1] + [rng.choice(["spot", "graviton", "multi-az", "ipv6"])],
                         "tags": {"Variant": v}}
                self.var_keys[f].update(vvars)
                imp = "catalog/%s/%s" % (f, self.variants[vi - 1] if vi else "defaults")
                self.yaml("stacks/catalog/%s/%s.yaml" % (f, v), {"import": [imp], "components": {"terraform": {
                    "%s/%s" % (f, v): {"metadata": {"type": "abstract", "inherits": [prev]},
                                       "settings": {"variant": {"name": v, "level": vi + 2}},
                                       "vars": vvars}}}}, "Catalog: %s variant %s (level %d)" % (f, v, vi + 2))
                prev = "%s/%s" % (f, v)

    def mixins(self):
        for r, short in self.regions:
            self.yaml("stacks/mixins/region/%s.yaml" % r, {
                "vars": {"region": r, "environment": short, "availability_zones": [r + z for z in "abc"],
                         "tags": {"Region": r}},
                "settings": {"region": {"name": r, "short": short}}}, "Mixin: region %s" % r)
        for s in self.stages:
            self.yaml("stacks/mixins/stage/%s.yaml" % s, {
                "vars": {"stage": s, "tags": {"Stage": s}},
                "settings": {"spacelift": {"autodeploy": s != "prod"}, "stage_protected": s == "prod"}},
                "Mixin: stage %s" % s)

    def stacks(self):
        a, rng = self.a, self.rng
        for oi, o in enumerate(self.orgs):
            self.yaml("stacks/orgs/%s/_defaults.yaml" % o, {
                "vars": {"namespace": o, "tags": {"Namespace": o, "ManagedBy": "atmos"}},
                "settings": {"github": {"owner": o}, "validation": {"enabled": False}},
                "terraform": {"backend_type": "s3", "backend": {"s3": {
                    "bucket": "%s-tfstate" % o, "dynamodb_table": "%s-tfstate-lock" % o, "region": "us-east-1",
                    "encrypt": True, "key": "terraform.tfstate", "acl": "bucket-owner-full-control",
                    "role_arn": "arn:aws:iam::%012d:role/%s-tfstate" % (100000000000 + oi, o)}}}},
                "Org defaults: %s" % o)
            for t in self.tenants[o]:
                self.yaml("stacks/orgs/%s/%s/_defaults.yaml" % (o, t), {
                    "import": ["orgs/%s/_defaults" % o],
                    "vars": {"tenant": t, "tags": {"Tenant": t}},
                    "settings": {"owner_team": "team-%s" % t}}, "Tenant defaults: %s/%s" % (o, t))
                pool = rng.sample(self.families, min(len(self.families), max(4, a.components_per_stack // 2)))
                for s in self.stages:
                    self.yaml("stacks/orgs/%s/%s/%s/_defaults.yaml" % (o, t, s), {
                        "import": ["orgs/%s/%s/_defaults" % (o, t), "mixins/stage/%s" % s],
                        "vars": {"account_name": "%s-%s" % (t, s), "tags": {"Account": "%s-%s" % (t, s)}},
                        "terraform": {"vars": {"label_order": ["namespace", "tenant", "environment", "stage", "name"]}}},
                        "Stage defaults: %s/%s/%s" % (o, t, s))
                    for r, short in self.regions:
                        self.stack(o, t, s, r, pool)

    def stack(self, o, t, s, r, pool):
        rng, n = self.rng, self.a.components_per_stack
        imports = ["orgs/%s/%s/%s/_defaults" % (o, t, s), "mixins/region/%s" % r]
        comps, left = {}, n
        for f in rng.sample(pool, len(pool)):
            if left < 3:
                break
            depth = min(rng.randint(1, len(self.variants)), left - 2)
            reals = [(v, i) for v in self.variants[:depth] if rng.random() < 0.8
                     for i in range(1, rng.choice([1, 2, 2, 3, 4]) + 1)] or [(self.variants[depth - 1], 1)]
            reals = reals[:left - 1 - depth]
            imports.append("catalog/%s/%s" % (f, self.variants[depth - 1]))
            left -= 1 + depth + len(reals)
            for v, i in reals:
                name = "%s-%s" % (f, v) + ("" if i == 1 else "-%d" % i)
                ivars = {"name": name, "instance_count": rng.randint(1, 12),
                         "tags": {"Owner": "team-%s" % t, "CostCenter": "cc-%d" % rng.randint(100, 999)}}
                self.var_keys[f].update(ivars)
                comps[name] = {"metadata": {"inherits": ["%s/%s" % (f, v)]}, "vars": ivars}
        k = 0
        while left > 0 and comps:  # top up with extra real instances of the families already used
            base = sorted(comps)[k % len(comps)]
            k += 1
            comps["%s-x%d" % (base, k)] = {"metadata": {"inherits": list(comps[base]["metadata"]["inherits"])},
                                           "vars": {"name": "%s-x%d" % (base, k)}}
            left -= 1
        name = "%s-%s-%s" % (t, dict(self.regions)[r], s)
        self.stack_docs.append(("stacks/orgs/%s/%s/%s/%s.yaml" % (o, t, s, r), {
            "import": imports,
            "auth": {"identities": {"%s-%s/terraform" % (t, s): {"default": True}}},
            "vars": {"tags": {"Stack": name}},
            "components": {"terraform": comps}}, "Stack %s" % name, o, name))

    def state_refs(self):
        """Places the `!terraform.state` references (or their literal values) and the lab files; its own RNG
        leaves every other choice of the generator unchanged."""
        a = self.a
        rng = random.Random("state-refs-%d" % a.seed)
        real = [(org, stack, comp, sec) for _, doc, _, org, stack in self.stack_docs
                for comp, sec in doc["components"]["terraform"].items()]
        if len(real) < a.state_refs + a.state_sources:
            raise SystemExit("--state-refs %d with --state-sources %d needs %d real component instances; this shape "
                             "has %d" % (a.state_refs, a.state_sources, a.state_refs + a.state_sources, len(real)))
        rng.shuffle(real)
        sources = sorted(real[:a.state_sources], key=lambda x: (x[1], x[2]))
        referrers = sorted(real[a.state_sources:a.state_sources + a.state_refs], key=lambda x: (x[1], x[2]))
        family = lambda sec: sec["metadata"]["inherits"][0].partition("/")[0]
        value = lambda stack, comp: "%s-%s" % (stack, comp)
        for k, (_, _, _, sec) in enumerate(referrers):
            _, src_stack, src_comp, _ = sources[k % len(sources)]
            sec["vars"]["upstream_id"] = (value(src_stack, src_comp) if a.literal
                                          else StateRef("%s %s id" % (src_comp, src_stack)))
            self.var_keys[family(sec)].add("upstream_id")
        if a.literal:
            return
        states = [{"bucket": "%s-tfstate" % org, "workspace_key_prefix": family(sec), "workspace": value(stack, comp),
                   "outputs": {"id": value(stack, comp), "name": comp}} for org, stack, comp, sec in sources]
        self.put("lab/states.json", json.dumps({"states": states}, indent=2) + "\n")
        self.put("lab/scenario.yaml", dump(self.lab_scenario()))

    def lab_scenario(self):
        bench_id, bench = BENCH_ACCOUNT
        accounts = [{"id": "%012d" % (100000000000 + oi), "name": o} for oi, o in enumerate(self.orgs)]
        return {
            "accounts": accounts + [{"id": bench_id, "name": bench}],
            "iam": {
                "users": [{"account": bench, "name": bench, "policies": {"AssumeStateRoles": {
                    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                            "Resource": "arn:aws:iam::*:role/*-tfstate"}]}}}],
                "roles": [{"accounts": list(self.orgs), "name": "${account_name}-tfstate",
                           "trust": {"Version": "2012-10-17", "Statement": [{
                               "Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"AWS": "arn:aws:iam::${account_id:%s}:root" % bench}}]},
                           "policies": {"ReadState": {"Version": "2012-10-17", "Statement": [{
                               "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                               "Resource": ["arn:aws:s3:::${account_name}-tfstate",
                                            "arn:aws:s3:::${account_name}-tfstate/*"]}]}}}],
            },
            "s3": {"buckets": [{"account": o, "name": "%s-tfstate" % o} for o in self.orgs]},
        }

    def components(self):
        ctx = ["namespace", "tenant", "environment", "stage", "region", "availability_zones", "account_name",
               "label_order"]
        for f in self.families:
            body = ["# Stub component %s (generated)" % f, ""]
            for v in ctx + sorted(self.var_keys[f] - set(ctx)):
                body += ['variable "%s" {' % v, "  type    = any", "  default = null", "}", ""]
            body += ['output "name" {', "  value = var.name", "}"]
            self.put("components/terraform/%s/main.tf" % f, "\n".join(body) + "\n")


def load_closure(root, key, cache, seen=None):
    """Return the list of manifests (import closure, depth-first, imports before the file)."""
    seen = set() if seen is None else seen
    if key in seen:
        return []
    seen.add(key)
    path = os.path.join(root, "stacks", key + ".yaml")
    if key not in cache:
        if not os.path.isfile(path):
            raise SystemExit("verify: import %r does not exist" % key)
        cache[key] = yaml.load(open(path, encoding="utf-8"), Loader=Loader) or {}
    out = []
    for imp in cache[key].get("import", []):
        out += load_closure(root, imp, cache, seen)
    return out + [cache[key]]


def analyse(root, stack_keys, verify):
    cache, names, real, abstract = {}, set(), 0, 0
    for key in stack_keys:
        docs = load_closure(root, key, cache)
        comps, gvars = {}, {}
        for d in docs:
            gvars.update({k: v for k, v in (d.get("vars") or {}).items() if isinstance(v, str)})
            for c, sec in ((d.get("components") or {}).get("terraform") or {}).items():
                comps.setdefault(c, {}).update(sec)
        for c, sec in comps.items():
            md = sec.get("metadata") or {}
            if md.get("type") == "abstract":
                abstract += 1
            else:
                real += 1
            for b in md.get("inherits", []):
                if verify and b not in comps:
                    raise SystemExit("verify: %s in %s inherits undefined %s" % (c, key, b))
        name = "-".join(gvars.get(p, "") for p in ("tenant", "environment", "stage"))
        if verify and (name in names or "" in name.split("-")):
            raise SystemExit("verify: bad or duplicate stack name %r for %s" % (name, key))
        names.add(name)
    return real, abstract


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output directory (created; must be empty or a previous output)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--small", action="store_true", help="CI preset: ~30 files")
    ap.add_argument("--orgs", type=int, help="organizations (namespaces); default 3")
    ap.add_argument("--tenants", type=int, help="tenants per org; default 4")
    ap.add_argument("--stages", type=int, help="stages per tenant; default 4")
    ap.add_argument("--regions", type=int, help="regions per stage (one top-level stack each); default 4")
    ap.add_argument("--components-per-stack", type=int, help="component entries per stack incl. abstract bases; default 48")
    ap.add_argument("--catalog-size", type=int, help="catalog component families (1 + VARIANTS files each); default 143")
    ap.add_argument("--variants", type=int, help="abstract variants per family (inherits chain depth); default 3")
    ap.add_argument("--verify", action="store_true", help="re-read the output and check imports, inherits, stack names")
    ap.add_argument("--state-refs", type=int, default=0,
                    help="real instances given vars.upstream_id: !terraform.state <component> <stack> id (default 0)")
    ap.add_argument("--state-sources", type=int, default=50, help="distinct states those references read (default 50)")
    ap.add_argument("--literal", action="store_true", help="the twin: the referenced values instead of the references")
    a = ap.parse_args()
    for k, v in PRESETS["small" if a.small else "default"].items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    if min(a.orgs, a.tenants, a.stages, a.regions, a.catalog_size, a.variants) < 1 or a.components_per_stack < 3:
        ap.error("counts must be >= 1 (components-per-stack >= 3)")
    if a.variants > len(VARIANTS):
        ap.error("--variants at most %d" % len(VARIANTS))
    if a.state_refs < 0 or a.state_sources < 1:
        ap.error("--state-refs must be >= 0 and --state-sources >= 1")
    if a.literal and not a.state_refs:
        ap.error("--literal needs --state-refs")
    if os.path.exists(a.out) and os.listdir(a.out):
        if not os.path.exists(os.path.join(a.out, MARKER)):
            sys.exit("refusing to overwrite non-empty %s (not a gen_atmos_repo output)" % a.out)
        shutil.rmtree(a.out)
    repo = Repo(a)
    repo.build()
    nbytes = 0
    for rel, text in sorted(repo.files.items()):
        p = os.path.join(a.out, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        data = text.encode("utf-8")
        with open(p, "wb") as fh:
            fh.write(data)
        nbytes += len(data)
    open(os.path.join(a.out, MARKER), "w").write("seed=%d\n" % a.seed)
    stack_keys = sorted(r[len("stacks/"):-len(".yaml")] for r in repo.files
                        if r.startswith("stacks/orgs/") and not r.endswith("/_defaults.yaml"))
    real, abstract = analyse(a.out, stack_keys, a.verify)
    nyaml = sum(r.endswith(".yaml") for r in repo.files)
    nimports = repo.nimports
    refs = ""
    if a.state_refs:
        refs = " state_refs=%d%s state_sources=%d" % (a.state_refs, " (literal)" if a.literal else "", a.state_sources)
    print("gen_atmos_repo: files=%d yaml_files=%d bytes=%d stacks=%d component_instances=%d (real=%d abstract=%d) "
          "imports=%d seed=%d%s%s out=%s" % (len(repo.files), nyaml, nbytes, len(stack_keys), real + abstract, real,
                                             abstract, nimports, a.seed, refs, " verified" if a.verify else "", a.out))


if __name__ == "__main__":
    main()
