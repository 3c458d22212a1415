#pragma once
// `hyperpipe doctor`: what would stop a run, found before it runs — hyperd, the state folder,
// every source (files readable, databases connect and their queries prepare, APIs answer with
// their auth), publish credentials (named, never shown), each Tableau server (TLS, REST version,
// sign-in, site, project), and when the schedule fires next. Each check is one verdict and, when
// it fails, what to do. Nothing is loaded or published.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hyperpipe/engine.hpp"
#include "net/http.hpp"
#include "pipeline/config/pipeline_spec.hpp"

namespace hyperpipe::pipeline {

struct DoctorCheck {
  std::string name;    ///< "hyperd", "state folder", "source orders", "credentials for ...", "tableau ...", "schedule"
  bool ok = false;
  std::string verdict; ///< one line; secrets redacted
  std::string fix;     ///< what to do, when it failed
};

struct DoctorOptions {
  EngineOptions engine;
  Environment environment = process_environment();
  /// HTTP for the Tableau checks; default: libcurl.
  std::function<std::unique_ptr<net::HttpTransport>(const net::HttpOptions&)> make_transport;
};

/// Every check, in order; `pipeline` may be null (then only hyperd is checked).
std::vector<DoctorCheck> run_doctor(const PipelineSpec* pipeline, const DoctorOptions& options);

} // namespace hyperpipe::pipeline
