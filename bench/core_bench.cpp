// Micro-benchmarks of the hot paths: YAML parsing, deep merge, JSON printing.
#include <benchmark/benchmark.h>

#include <string>

#include "core/json_emit.hpp"
#include "core/merge.hpp"
#include "core/yaml_emit.hpp"
#include "core/yaml_load.hpp"

namespace {

// A stack-manifest-like document with `n` components.
std::string manifest_text(int n) {
  std::string s = "import:\n  - catalog/a\n  - catalog/b\nvars:\n  tenant: plat\n  stage: dev\n";
  s += "components:\n  terraform:\n";
  for (int i = 0; i < n; ++i) {
    std::string c = "c" + std::to_string(i);
    s += "    " + c + ":\n      metadata:\n        inherits: [" + c + "/defaults]\n      vars:\n";
    s += "        name: " + c + "\n        cidr: 10.0." + std::to_string(i % 256) + ".0/24\n        enabled: true\n";
    s += "        count: " + std::to_string(i) + "\n        tags:\n          team: platform\n          cost: '" +
         std::to_string(i * 7) + "'\n        list: [a, b, c]\n";
  }
  return s;
}

void BM_ParseYaml(benchmark::State& state) {
  std::string text = manifest_text(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(atmos::parse_yaml(text, "bench.yaml"));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseYaml)->Arg(50)->Arg(500);

void BM_DeepMerge(benchmark::State& state) {
  atmos::Value a = atmos::parse_yaml(manifest_text(static_cast<int>(state.range(0))));
  atmos::Value b = atmos::parse_yaml(manifest_text(static_cast<int>(state.range(0)) / 2));
  for (auto _ : state) benchmark::DoNotOptimize(atmos::deep_merge({a, b}));
}
BENCHMARK(BM_DeepMerge)->Arg(50)->Arg(500);

void BM_JsonEmit(benchmark::State& state) {
  atmos::Value v = atmos::parse_yaml(manifest_text(500));
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string s = atmos::to_json(v);
    bytes = s.size();
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_JsonEmit);

void BM_YamlEmit(benchmark::State& state) {
  atmos::Value v = atmos::parse_yaml(manifest_text(500));
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string s = atmos::to_yaml(v);
    bytes = s.size();
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_YamlEmit);

}  // namespace
