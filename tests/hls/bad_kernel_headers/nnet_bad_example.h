// A deliberately broken kernel header: the rules check must reject it (hls_kernel_headers_rules_bad_test).
#include <vector>

inline int* allocate_buffer() {
  return new int[4];
}
