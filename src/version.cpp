#include "sparsepixels/version.h"

namespace sparsepixels {

const char* version() {
  return SPARSEPIXELS_VERSION;
}

}  // namespace sparsepixels
