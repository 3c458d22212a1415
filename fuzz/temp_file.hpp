#pragma once
// Fuzz inputs for readers that take a path: one scratch file per process, in memory-backed
// /dev/shm when there is one.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

inline std::filesystem::path write_fuzz_input(const std::uint8_t* data, std::size_t size, const char* extension) {
  const std::filesystem::path dir = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  const auto path = dir / ("hyperpipe-fuzz-" + std::to_string(::getpid()) + extension);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}
