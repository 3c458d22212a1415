// TableauClient's calls on a published data source once it exists: finding it by exact name,
// reading it, its description and certification, its tags, its data-quality warnings, and
// updates of its data (Update Data in Hyper Data Source). Sign-in, projects, uploads, jobs and
// publishing are in tableau_client.cpp.
#include "publish/tableau_client.hpp"

#include <fmt/format.h>

#include "publish/rest_text.hpp"
#include "publish/tableau_xml.hpp"

namespace hyperpipe::publish {

Result<std::optional<DatasourceInfo>> TableauClient::find_datasource(const std::string& project_id, const std::string& name) {
  std::optional<DatasourceInfo> found;
  HP_TRY(list_pages("/datasources", filterable_name(name) ? "name:eq:" + url_encode(name) : std::string(),
                    [&](const XmlElement& page) {
                      for (const XmlElement* datasource : find_elements(page, "datasource")) {
                        const XmlElement* project = datasource->child("project");
                        if (datasource->attribute("name") != name || project == nullptr ||
                            project->attribute("id") != project_id) {
                          continue;
                        }
                        DatasourceInfo info{datasource->attribute("id"), name, project_id,
                                            datasource->attribute("isCertified") == "true",
                                            datasource->attribute("certificationNote"), datasource->attribute("description"),
                                            {}, datasource->attribute("updatedAt")};
                        if (const XmlElement* tags = datasource->child("tags")) {
                          for (const XmlElement* tag : find_elements(*tags, "tag")) {
                            info.tags.push_back(tag->attribute("label"));
                          }
                        }
                        found = std::move(info);
                      }
                      return found.has_value();
                    }));
  return found;
}

Status TableauClient::update_datasource(const std::string& id, const DatasourceUpdate& update) {
  const std::string body = datasource_update_request(update);
  // Setting the same attributes twice gives the same data source: safe to repeat.
  HP_TRY(call({"PUT", site_path() + "/datasources/" + url_encode(id), "application/xml", {{body, {}, 0, 0}}, true}));
  return {};
}

Status TableauClient::add_tags(const std::string& id, const std::vector<std::string>& labels) {
  const std::string body = tags_request(labels);
  HP_TRY(call({"PUT", site_path() + "/datasources/" + url_encode(id) + "/tags", "application/xml", {{body, {}, 0, 0}}, true}));
  return {};
}

Result<std::vector<QualityWarning>> TableauClient::quality_warnings(const std::string& datasource_id) {
  HP_ASSIGN_OR_RETURN(auto response,
                      call({"GET", site_path() + "/dataQualityWarnings/datasource/" + url_encode(datasource_id), "", {}, true}));
  HP_ASSIGN_OR_RETURN(auto document, parse_response(response.body));
  std::vector<QualityWarning> warnings;
  for (const XmlElement* warning : find_elements(document, "dataQualityWarning")) {
    warnings.push_back({warning->attribute("id"), warning->attribute("type"), warning->attribute("message"),
                        warning->attribute("isActive") == "true"});
  }
  return warnings;
}

Status TableauClient::add_quality_warning(const std::string& datasource_id, const std::string& type, const std::string& message) {
  const std::string body = quality_warning_request(type, message);
  // Not repeated after an unclear failure: a second warning would be added beside the first.
  HP_TRY(call({"POST", site_path() + "/dataQualityWarnings/datasource/" + url_encode(datasource_id), "application/xml",
               {{body, {}, 0, 0}}, false}));
  return {};
}

Status TableauClient::delete_quality_warning(const std::string& warning_id) {
  HP_TRY(call({"DELETE", site_path() + "/dataQualityWarnings/" + url_encode(warning_id), "", {}, true}));
  return {};
}

Result<DatasourceInfo> TableauClient::get_datasource(const std::string& id) {
  HP_ASSIGN_OR_RETURN(auto response, call({"GET", site_path() + "/datasources/" + url_encode(id), "", {}, true}));
  HP_ASSIGN_OR_RETURN(auto document, parse_response(response.body));
  const XmlElement* datasource = find_element(document, "datasource");
  if (datasource == nullptr) {
    return make_error(ErrorKind::remote, fmt::format("the answer for data source {} names none", id));
  }
  const XmlElement* project = datasource->child("project");
  return DatasourceInfo{datasource->attribute("id"), datasource->attribute("name"),
                        project != nullptr ? project->attribute("id") : std::string(),
                        datasource->attribute("isCertified") == "true", datasource->attribute("certificationNote"),
                        datasource->attribute("description"), {}, datasource->attribute("updatedAt"),
                        datasource->attribute("webpageUrl")};
}

Result<std::string> TableauClient::update_data(const std::string& datasource_id,
                                               const std::optional<std::filesystem::path>& payload,
                                               const std::string& actions_json, const std::string& request_id,
                                               const PublishOptions& options) {
  std::string query;
  if (payload) {
    std::error_code ec;
    const std::uint64_t size = std::filesystem::file_size(*payload, ec);
    if (ec) {
      return make_error(ErrorKind::not_found, fmt::format("{}: {}", payload->string(), ec.message()));
    }
    int chunks = 0;
    HP_ASSIGN_OR_RETURN(auto session, upload_in_chunks(*payload, size, options, chunks));
    query = "?uploadSessionId=" + url_encode(session);
  }
  // Repeatable: the RequestID makes the server apply it once however often it arrives.
  Call request{"PATCH", site_path() + "/datasources/" + url_encode(datasource_id) + "/data" + query, "application/json",
               {{actions_json, {}, 0, 0}}, true, k_commit_idle};
  request.headers.emplace_back("RequestID", request_id);
  auto answered = call(request);
  if (!answered) {
    Error error = std::move(answered).error();
    if (error.remote_code.starts_with("400")) {
      error.hint = "only a data source published from a .hyper file (live-to-Hyper) can be updated: if it was published "
                   "another way, publish it once with overwrite; the server needs REST API 3.12 (Tableau 2021.2) or later";
    }
    return error;
  }
  HP_ASSIGN_OR_RETURN(auto document, parse_response(answered->body));
  const XmlElement* job = find_element(document, "job");
  if (job == nullptr || job->attribute("id").empty()) {
    return make_error(ErrorKind::remote, "the server accepted the update of data but named no job");
  }
  const std::string job_id = job->attribute("id");
  HP_TRY(wait_for_job(job_id, options.job_timeout));
  return job_id;
}

} // namespace hyperpipe::publish
