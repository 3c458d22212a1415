#include "publish/multipart.hpp"

#include <fmt/format.h>

#include <random>

namespace hyperpipe::publish {

MultipartBody make_multipart(const std::string& boundary, const std::string& payload, const std::string& part_name,
                             const std::string& file_name, const std::filesystem::path& file, std::uint64_t offset,
                             std::uint64_t length) {
  MultipartBody body;
  body.content_type = "multipart/mixed; boundary=" + boundary;
  std::string head = fmt::format("--{}\r\nContent-Disposition: name=\"request_payload\"\r\nContent-Type: text/xml\r\n\r\n{}\r\n",
                                 boundary, payload);
  if (part_name.empty()) {
    body.segments.push_back({head + fmt::format("--{}--\r\n", boundary), {}, 0, 0});
    return body;
  }
  head += fmt::format("--{}\r\nContent-Disposition: name=\"{}\"; filename=\"{}\"\r\n"
                      "Content-Type: application/octet-stream\r\n\r\n",
                      boundary, part_name, file_name);
  body.segments.push_back({std::move(head), {}, 0, 0});
  body.segments.push_back({{}, file, offset, length});
  body.segments.push_back({fmt::format("\r\n--{}--\r\n", boundary), {}, 0, 0});
  return body;
}

std::string random_boundary() {
  std::random_device device;
  std::mt19937_64 generator(device());
  return fmt::format("{:016x}{:016x}", generator(), generator());
}

} // namespace hyperpipe::publish
