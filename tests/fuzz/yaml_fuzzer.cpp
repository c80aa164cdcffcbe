// The YAML loader (stack manifests, atmos.yaml): any bytes either load or throw atmos::Error. The loader recurses
// once per nesting level up to yaml.v3's 10,000, so it runs on a deep stack as every atmos command does
// (src/main.cpp, core/deep_stack.hpp); the tree is released there too.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/deep_stack.hpp"
#include "core/error.hpp"
#include "core/yaml_load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  atmos::DeepStackThread parse([&] {
    try {
      atmos::parse_yaml(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
    } catch (const atmos::Error&) {
    }
  });
  parse.join();
  return 0;
}
