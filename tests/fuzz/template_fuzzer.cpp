// The template lexer, parser and executor with the functions stack manifests get (Sprig and Gomplate): any
// template either renders or throws TemplateError (Go's text), over data shaped like a component's context.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/environment.hpp"
#include "core/error.hpp"
#include "core/yaml_load.hpp"
#include "template/functions.hpp"
#include "template/template.hpp"

namespace {

const atmos::Value& data() {
  static const atmos::Value v = atmos::parse_yaml(R"(
atmos_component: vpc
atmos_stack: plat-ue2-dev
vars:
  namespace: acme
  tenant: plat
  stage: dev
  region: us-east-2
  cidr: 10.0.0.0/16
  enabled: true
  count: 3
  ratio: 0.5
  zones: [a, b, c]
  tags: {Team: platform, Owner: null}
settings:
  depends_on: {1: {component: network}}
)");
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data_bytes, std::size_t size) {
  static const atmos::MapEnvironment env({{"HOME", "/home/fuzz"}, {"ATMOS_STAGE", "dev"}});
  static const atmos::tmpl::FuncTable funcs = atmos::tmpl::atmos_functions(env, true, true);
  std::string_view text(reinterpret_cast<const char*>(data_bytes), size);
  atmos::tmpl::Options opts;
  if (!text.empty() && text[0] == '\x01') opts.missing_key = atmos::tmpl::MissingKey::Error;
  try {
    atmos::tmpl::render("fuzz", text, data(), opts, &funcs);
  } catch (const atmos::tmpl::TemplateError&) {
  }
  return 0;
}
