#include "publish/tableau_xml.hpp"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>

#include "publish/credentials.hpp"

namespace hyperpipe::publish {
namespace {

const char* as_chars(const xmlChar* text) { return reinterpret_cast<const char*>(text); }
const xmlChar* as_xml(const char* text) { return reinterpret_cast<const xmlChar*>(text); }

XmlElement convert(xmlNode* node) {
  XmlElement element;
  element.name = as_chars(node->name);
  for (xmlAttr* attribute = node->properties; attribute != nullptr; attribute = attribute->next) {
    xmlChar* value = xmlNodeListGetString(node->doc, attribute->children, 1);
    element.attributes[as_chars(attribute->name)] = value != nullptr ? as_chars(value) : "";
    xmlFree(value);
  }
  for (xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE) {
      element.children.push_back(convert(child));
    } else if (child->type == XML_TEXT_NODE && child->content != nullptr) {
      element.text += as_chars(child->content);
    }
  }
  return element;
}

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocDeleter>;

// A tsRequest document with one child element, serialised.
std::string serialise(xmlDoc* doc) {
  xmlChar* text = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc, &text, &size, "UTF-8");
  std::string out(as_chars(text), static_cast<std::size_t>(size));
  xmlFree(text);
  return out;
}

} // namespace

const XmlElement* XmlElement::child(std::string_view local_name) const {
  for (const auto& element : children) {
    if (element.name == local_name) {
      return &element;
    }
  }
  return nullptr;
}

std::string XmlElement::attribute(const std::string& key) const {
  const auto found = attributes.find(key);
  return found == attributes.end() ? std::string() : found->second;
}

Result<XmlElement> parse_response(std::string_view body) {
  // No network access and no entity expansion: a response is data, never instructions.
  DocPtr doc(xmlReadMemory(body.data(), static_cast<int>(body.size()), "response.xml", nullptr,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc || xmlDocGetRootElement(doc.get()) == nullptr) {
    const std::string_view head = body.substr(0, 200);
    return make_error(ErrorKind::remote, fmt::format("the server answered with something that is not Tableau XML: \"{}\"", head),
                      "a proxy or load balancer may be answering instead of Tableau; check the server address");
  }
  return convert(xmlDocGetRootElement(doc.get()));
}

const XmlElement* find_element(const XmlElement& root, std::string_view local_name) {
  if (root.name == local_name) {
    return &root;
  }
  for (const auto& child : root.children) {
    if (const XmlElement* found = find_element(child, local_name)) {
      return found;
    }
  }
  return nullptr;
}

std::vector<const XmlElement*> find_elements(const XmlElement& root, std::string_view local_name) {
  std::vector<const XmlElement*> found;
  if (root.name == local_name) {
    found.push_back(&root);
  }
  for (const auto& child : root.children) {
    auto deeper = find_elements(child, local_name);
    found.insert(found.end(), deeper.begin(), deeper.end());
  }
  return found;
}

std::string sign_in_request(const Credentials& credentials, const std::string& content_url) {
  DocPtr doc(xmlNewDoc(as_xml("1.0")));
  xmlNode* root = xmlNewNode(nullptr, as_xml("tsRequest"));
  xmlDocSetRootElement(doc.get(), root);
  xmlNode* node = xmlNewChild(root, nullptr, as_xml("credentials"), nullptr);
  switch (credentials.kind) {
  case Credentials::Kind::token:
    xmlNewProp(node, as_xml("personalAccessTokenName"), as_xml(credentials.name.c_str()));
    xmlNewProp(node, as_xml("personalAccessTokenSecret"), as_xml(credentials.secret.c_str()));
    break;
  case Credentials::Kind::password:
    xmlNewProp(node, as_xml("name"), as_xml(credentials.name.c_str()));
    xmlNewProp(node, as_xml("password"), as_xml(credentials.secret.c_str()));
    break;
  case Credentials::Kind::jwt: xmlNewProp(node, as_xml("jwt"), as_xml(credentials.secret.c_str())); break;
  case Credentials::Kind::connected_app:
    // Never its secret value: the client signs a token with it and presents that as a JWT.
    break;
  }
  xmlNode* site = xmlNewChild(node, nullptr, as_xml("site"), nullptr);
  xmlNewProp(site, as_xml("contentUrl"), as_xml(content_url.c_str()));
  return serialise(doc.get());
}

std::string publish_request(const std::string& name, const std::string& description, const std::string& project_id) {
  DocPtr doc(xmlNewDoc(as_xml("1.0")));
  xmlNode* root = xmlNewNode(nullptr, as_xml("tsRequest"));
  xmlDocSetRootElement(doc.get(), root);
  xmlNode* datasource = xmlNewChild(root, nullptr, as_xml("datasource"), nullptr);
  xmlNewProp(datasource, as_xml("name"), as_xml(name.c_str()));
  if (!description.empty()) {
    xmlNewProp(datasource, as_xml("description"), as_xml(description.c_str()));
  }
  xmlNode* project = xmlNewChild(datasource, nullptr, as_xml("project"), nullptr);
  xmlNewProp(project, as_xml("id"), as_xml(project_id.c_str()));
  return serialise(doc.get());
}

namespace {

// A tsRequest document and its one child element.
std::pair<DocPtr, xmlNode*> request_with(const char* element) {
  DocPtr doc(xmlNewDoc(as_xml("1.0")));
  xmlNode* root = xmlNewNode(nullptr, as_xml("tsRequest"));
  xmlDocSetRootElement(doc.get(), root);
  xmlNode* child = xmlNewChild(root, nullptr, as_xml(element), nullptr);
  return {std::move(doc), child};
}

} // namespace

std::string datasource_update_request(const DatasourceUpdate& update) {
  auto [doc, datasource] = request_with("datasource");
  if (update.description) {
    xmlNewProp(datasource, as_xml("description"), as_xml(update.description->c_str()));
  }
  if (update.certified) {
    xmlNewProp(datasource, as_xml("isCertified"), as_xml(*update.certified ? "true" : "false"));
  }
  if (update.certification_note) {
    xmlNewProp(datasource, as_xml("certificationNote"), as_xml(update.certification_note->c_str()));
  }
  return serialise(doc.get());
}

std::string tags_request(const std::vector<std::string>& labels) {
  auto [doc, tags] = request_with("tags");
  for (const auto& label : labels) {
    xmlNode* tag = xmlNewChild(tags, nullptr, as_xml("tag"), nullptr);
    xmlNewProp(tag, as_xml("label"), as_xml(label.c_str()));
  }
  return serialise(doc.get());
}

std::string quality_warning_request(const std::string& type, const std::string& message) {
  auto [doc, warning] = request_with("dataQualityWarning");
  xmlNewProp(warning, as_xml("type"), as_xml(type.c_str()));
  xmlNewProp(warning, as_xml("isActive"), as_xml("true"));
  xmlNewProp(warning, as_xml("isSevere"), as_xml("false"));
  xmlNewProp(warning, as_xml("message"), as_xml(message.c_str()));
  return serialise(doc.get());
}

std::optional<TableauError> parse_error(std::string_view body) {
  auto document = parse_response(body);
  if (!document) {
    return std::nullopt;
  }
  const XmlElement* error = find_element(*document, "error");
  if (error == nullptr) {
    return std::nullopt;
  }
  TableauError out{error->attribute("code"), "", ""};
  if (const XmlElement* summary = error->child("summary")) {
    out.summary = summary->text;
  }
  if (const XmlElement* detail = error->child("detail")) {
    out.detail = detail->text;
  }
  return out;
}

} // namespace hyperpipe::publish
