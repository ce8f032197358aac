#pragma once
// Parsers for one setting's text value. Each throws ConfigError with a message of the form
// "<where>: '<value>' is not valid: <what is valid>", where `where` names the key and where
// it came from (e.g. "--fps" or "fps in framewire.yaml").

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace framewire::config {

long long parseInteger(std::string_view where, std::string_view text, long long min, long long max);
double parseNumber(std::string_view where, std::string_view text, double min, double max);
std::string parseChoice(std::string_view where, std::string_view text,
                        std::initializer_list<std::string_view> choices);
std::pair<int, int> parseSize(std::string_view where, std::string_view text);
std::pair<std::string, std::uint16_t> parseListen(std::string_view where, std::string_view text);

}  // namespace framewire::config
