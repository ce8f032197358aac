#pragma once
// `framewire user add|del|token|list ...`: edits the users file (net/auth/users_file.hpp).

#include <string>
#include <vector>

namespace framewire::app {

// True when args[1] is "user" (then runUserCommand handles the whole command line).
bool isUserCommand(const std::vector<std::string>& args);
// Returns the exit code; prints errors as one line on stderr (2 for a usage error).
int runUserCommand(const std::vector<std::string>& args);

}  // namespace framewire::app
