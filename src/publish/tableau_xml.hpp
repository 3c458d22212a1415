#pragma once
// The XML of the Tableau REST API: building request bodies and reading responses, with libxml2.
// Pure: strings in, values out. Element names are matched by local name, so both the current
// (http://tableau.com/api) and the old (tableausoftware.com) namespaces are read.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hyperpipe/error.hpp"

namespace hyperpipe::publish {

/// One element of a response: its attributes, and those of its children, flattened enough for
/// the publisher's needs.
struct XmlElement {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;
  std::vector<XmlElement> children;

  const XmlElement* child(std::string_view local_name) const;
  std::string attribute(const std::string& key) const;
};

/// Parses a response body; the root is tsResponse.
Result<XmlElement> parse_response(std::string_view body);
/// Depth-first search for the first element with this local name.
const XmlElement* find_element(const XmlElement& root, std::string_view local_name);
/// All elements with this local name, in document order.
std::vector<const XmlElement*> find_elements(const XmlElement& root, std::string_view local_name);

struct Credentials;

/// tsRequest/credentials for sign-in (PAT, user/password or JWT) on the site `content_url`.
std::string sign_in_request(const Credentials& credentials, const std::string& content_url);
/// tsRequest/datasource@name,description with project@id.
std::string publish_request(const std::string& name, const std::string& description, const std::string& project_id);

/// What an Update Data Source call changes; unset fields are left as they are on the server.
struct DatasourceUpdate {
  std::optional<std::string> description;
  std::optional<bool> certified;
  std::optional<std::string> certification_note;
  bool empty() const { return !description && !certified && !certification_note; }
};
/// tsRequest/datasource with only the attributes `update` sets.
std::string datasource_update_request(const DatasourceUpdate& update);
/// tsRequest/tags/tag@label for Add Tags to Data Source.
std::string tags_request(const std::vector<std::string>& labels);
/// tsRequest/dataQualityWarning@type,isActive,isSevere,message for Add Data Quality Warning.
std::string quality_warning_request(const std::string& type, const std::string& message);

/// A Tableau error body (tsResponse/error@code, summary, detail), if the body is one.
struct TableauError {
  std::string code;
  std::string summary;
  std::string detail;
};
std::optional<TableauError> parse_error(std::string_view body);

} // namespace hyperpipe::publish
