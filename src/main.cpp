#include <cstdio>

int main() {
  std::puts("atmos " ATMOS_VERSION);
  return 0;
}
