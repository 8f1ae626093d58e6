#pragma once

#include <stdexcept>
#include <string>

namespace crosstalk {

/// A problem with what the user gave us (a file, a flag, a config value, a model
/// directory). Caught once in main: one line on stderr, exit code 2.
class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace crosstalk
