// SHA-256 through OpenSSL's EVP interface, as lowercase hex. Used for cache keys.
//
//   std::string h = pipeline::sha256_hex("abc");   // "ba7816bf..."
#pragma once

#include <string>
#include <string_view>

namespace pipeline {

std::string sha256_hex(std::string_view data);

}  // namespace pipeline
