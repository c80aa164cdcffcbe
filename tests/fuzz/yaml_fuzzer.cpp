// The YAML loader (stack manifests, atmos.yaml): any bytes either load or throw atmos::Error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "core/yaml_load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    atmos::parse_yaml(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
  } catch (const atmos::Error&) {
  }
  return 0;
}
