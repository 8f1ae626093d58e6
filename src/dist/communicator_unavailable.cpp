// Built instead of communicator_c10d.cpp where c10d's or Gloo's headers are missing,
// or with -DCROSSTALK_DISTRIBUTED_TRAINING=OFF (CMakeLists.txt).
#include "crosstalk/common/error.h"
#include "crosstalk/dist/communicator.h"

namespace crosstalk::dist {

bool distributed_available() { return false; }

std::unique_ptr<Communicator> connect(const World& world, const CommunicatorOptions&) {
  throw UserError("this crosstalk was built without distributed training (world size " + std::to_string(world.size) +
                  " asked): install libgloo-dev (bash scripts/setup.sh) and rebuild");
}

}  // namespace crosstalk::dist
