#pragma once
// multipart/mixed bodies as Tableau's publish and upload endpoints take them: a request_payload
// part (text/xml) and a file part (application/octet-stream) whose bytes are a range of a file,
// streamed when sent. Pure: builds segments, reads nothing.

#include <filesystem>
#include <string>
#include <vector>

#include "net/http.hpp"

namespace hyperpipe::publish {

struct MultipartBody {
  std::string content_type; ///< "multipart/mixed; boundary=..."
  std::vector<net::BodySegment> segments;
};

/// `payload` as request_payload; then, when `part_name` is not empty, `length` bytes of `file`
/// from `offset` as that part with `file_name`.
MultipartBody make_multipart(const std::string& boundary, const std::string& payload, const std::string& part_name,
                             const std::string& file_name, const std::filesystem::path& file, std::uint64_t offset,
                             std::uint64_t length);

/// A boundary that cannot occur in the XML part (hex) and is unlikely in file bytes.
std::string random_boundary();

} // namespace hyperpipe::publish
