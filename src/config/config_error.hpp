#pragma once
// A bad setting: the message is one line naming the key, the value and what is valid.

#include <stdexcept>
#include <string>

namespace framewire::config {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace framewire::config
