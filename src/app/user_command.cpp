#include "app/user_command.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "config/config_loader.hpp"
#include "net/auth/users_file.hpp"

namespace framewire::app {
namespace {

constexpr const char* kUsage =
    "usage: framewire user add NAME     (password from stdin, or asked twice on a terminal)\n"
    "       framewire user del NAME\n"
    "       framewire user token NAME   (prints a new bearer token for NAME)\n"
    "       framewire user list\n"
    "  with --users-file FILE, or --config FILE naming users-file\n";

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string readSecretLine(const char* prompt) {
  const bool terminal = ::isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (terminal) {
    std::fputs(prompt, stderr);
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (terminal) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fputs("\n", stderr);
  }
  if (!got) throw std::runtime_error("no password given on stdin");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string readPassword() {
  const std::string password = readSecretLine("password: ");
  if (::isatty(STDIN_FILENO) && readSecretLine("again: ") != password) {
    throw std::runtime_error("the two passwords differ");
  }
  if (password.empty()) throw std::runtime_error("the password is empty");
  return password;
}

}  // namespace

bool isUserCommand(const std::vector<std::string>& args) {
  return args.size() >= 2 && args[1] == "user";
}

int runUserCommand(const std::vector<std::string>& args) {
  try {
    std::vector<std::string> words;
    std::string users_file;
    std::string config_file;
    for (std::size_t i = 2; i < args.size(); ++i) {
      const std::string& arg = args[i];
      if ((arg == "--users-file" || arg == "--config") && i + 1 < args.size()) {
        (arg == "--config" ? config_file : users_file) = args[++i];
      } else if (arg.starts_with("--users-file=")) {
        users_file = arg.substr(13);
      } else if (arg.starts_with("--config=")) {
        config_file = arg.substr(9);
      } else if (arg == "--help" || arg == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
      } else if (arg.starts_with("-")) {
        throw UsageError("unknown option " + arg);
      } else {
        words.push_back(arg);
      }
    }
    if (users_file.empty() && !config_file.empty()) {
      users_file = config::loadConfig({"framewire", "--config", config_file})
                       .config.security.users_file;
    }
    if (users_file.empty()) throw UsageError("which users file? pass --users-file FILE");
    if (words.empty()) throw UsageError("missing action (add, del, token or list)");
    const std::string& action = words[0];
    const bool needs_name = action == "add" || action == "del" || action == "token";
    if (needs_name != (words.size() == 2) || words.size() > 2) {
      throw UsageError("wrong number of arguments for '" + action + "'");
    }

    net::auth::UsersFile users = net::auth::UsersFile::load(users_file, /*missing_ok=*/true);
    if (action == "list") {
      for (const auto& user : users.users()) {
        std::printf("%s%s (%zu tokens)\n", user.name.c_str(),
                    user.password_hash.empty() ? " (no password)" : "", user.token_hashes.size());
      }
      return 0;
    }
    const std::string& name = words[1];
    if (action == "add") {
      if (!net::auth::validUserName(name)) {
        throw UsageError("user name must be 1 to 64 of A-Z a-z 0-9 . _ -");
      }
      users.setPassword(name, readPassword());
      users.save(users_file);
      std::fprintf(stderr, "user %s saved in %s\n", name.c_str(), users_file.c_str());
    } else if (action == "del") {
      if (!users.remove(name)) throw std::runtime_error("no user '" + name + "' in " + users_file);
      users.save(users_file);
      std::fprintf(stderr, "user %s removed from %s\n", name.c_str(), users_file.c_str());
    } else if (action == "token") {
      const std::string token = users.addToken(name);
      users.save(users_file);
      std::printf("%s\n", token.c_str());
    } else {
      throw UsageError("unknown action '" + action + "' (add, del, token or list)");
    }
    return 0;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "framewire user: %s\n%s", e.what(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "framewire user: %s\n", e.what());
    return 1;
  }
}

}  // namespace framewire::app
