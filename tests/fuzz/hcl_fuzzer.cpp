// The HCL reader (Terraform modules, .tfvars and .hcl files): parsing, every attribute's literal value and
// source text, and read_attributes either succeed or throw atmos::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "core/hcl.hpp"

namespace {

void visit(const atmos::hcl::Document& doc, const atmos::hcl::Block& block) {
  for (const auto& a : block.attributes) {
    doc.literal(a);
    doc.source(a);
  }
  for (const auto& b : block.blocks) visit(doc, b);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    atmos::hcl::Document doc(text);
    visit(doc, doc.root());
  } catch (const atmos::Error&) {
  }
  try {
    atmos::hcl::read_attributes(text, "fuzz.tfvars");
  } catch (const atmos::Error&) {
  }
  return 0;
}
