#include "pushgateway_client.hpp"

#include <curl/curl.h>

#include <memory>

namespace pipeline::metrics_prometheus {

namespace {

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

bool url_safe(std::string_view v) {
  if (v.empty()) return false;
  for (unsigned char c : v) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '~';
    if (!ok) return false;
  }
  return true;
}

// RFC 4648 "base64url" with padding, as the Pushgateway reads it.
std::string base64url(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == in.size()) {
    const unsigned n = static_cast<unsigned char>(in[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const unsigned n =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out.empty() ? "=" : out;  // the Pushgateway's spelling of an empty value
}

size_t keep_body(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() < 4096) body->append(data, size * n);  // enough for an error message
  return size * n;
}

}  // namespace

std::string grouping_url(std::string_view base, const GroupingKey& key) {
  std::string url(base);
  url += "/metrics";
  for (const auto& [label, value] : key) {
    url += '/';
    if (url_safe(value)) {
      url += label + "/" + value;
    } else {
      url += label + "@base64/" + base64url(value);
    }
  }
  return url;
}

std::string redact_url(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const auto host_start = scheme + 3;
  const auto path = url.find('/', host_start);
  const auto at = url.rfind('@', path == std::string_view::npos ? url.size() : path);
  if (at == std::string_view::npos || at < host_start) return std::string(url);
  return std::string(url.substr(0, host_start)) + std::string(url.substr(at + 1));
}

PushgatewayClient::PushgatewayClient(std::string base_url, std::int64_t timeout_ms)
    : base_(std::move(base_url)), timeout_ms_(timeout_ms) {
  // Reference-counted and thread-safe in libcurl >= 7.84; paired with the destructor's cleanup.
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

PushgatewayClient::~PushgatewayClient() {
  curl_global_cleanup();
}

std::string PushgatewayClient::put(const GroupingKey& key, const std::string& text) {
  const std::string url = grouping_url(base_, key);
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) return "libcurl could not allocate a handle";
  std::unique_ptr<curl_slist, SlistDeleter> headers(
      curl_slist_append(nullptr, "Content-Type: text/plain; version=0.0.4; charset=utf-8"));
  std::string body;
  CURL* h = easy.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, text.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(text.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms_));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_ms_));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM from a worker thread
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &keep_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  const CURLcode rc = curl_easy_perform(h);
  const std::string where = "push to " + redact_url(url);
  if (rc != CURLE_OK) return where + " failed: " + curl_easy_strerror(rc);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) {
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
    return where + " failed: HTTP " + std::to_string(status) + (body.empty() ? "" : ": " + body);
  }
  return {};
}

}  // namespace pipeline::metrics_prometheus
