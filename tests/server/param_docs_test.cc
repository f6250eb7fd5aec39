// The documentation of the job parameters cannot drift from their table
// (core/train/param_table.h): README.md's "Job parameters" table is the one rendered here from
// it, and proto/openapi.yaml's TrainParams schema has its names, types, choices, ranges and
// defaults (and JobParams requires each but those added later).

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "core/train/param_table.h"
#include "proto/train_params_json.h"
#include "server/handlers/routes.h"

namespace w2v::server {
namespace {

std::string code(std::string_view s) {
  return "`" + std::string(s) + "`";
}

// The valid values as README.md shows them.
std::string values_cell(const ParamSpec& s) {
  switch (s.kind) {
    case ParamKind::kInteger:
      return std::to_string(s.int_min) + "–" + std::to_string(s.int_max);
    case ParamKind::kUnsigned:
      return "0–2^64−1";
    case ParamKind::kReal: {
      std::string out = param_text(s, s.real_min) + "–" + param_text(s, s.real_max);
      if (s.zero_is_default) out += ", or 0";
      return out;
    }
    case ParamKind::kBool:
      return "`true`, `false`";
    case ParamKind::kChoice: {
      std::string out;
      for (const auto c : s.choices) out += (out.empty() ? "" : ", ") + code(c);
      return out;
    }
  }
  return "";
}

// README.md's table of the job parameters, rendered from the table.
std::string readme_table() {
  std::string out = "| parameter | default | values | meaning |\n|---|---|---|---|\n";
  for (const ParamSpec& s : kParams) {
    const bool textual = s.kind == ParamKind::kChoice || s.kind == ParamKind::kBool;
    const std::string def =
        s.default_rule.empty() && textual ? code(default_text(s)) : default_text(s);
    out += "| " + code(s.name) + " | " + def + " | " + values_cell(s) + " | " +
           std::string(s.help) + " |\n";
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ParamDocs, ReadmeHasTheTableOfParameters) {
  const std::string readme = read_file(std::string(W2V_SOURCE_DIR) + "/README.md");
  ASSERT_FALSE(readme.empty());
  EXPECT_NE(readme.find(readme_table()), std::string::npos)
      << "README.md's \"Job parameters\" table differs from core/train/param_table.h; it "
         "should read:\n\n"
      << readme_table();
}

// The properties of a schema of components/schemas: name -> (key -> value), in order.
using Properties = std::vector<std::pair<std::string, std::map<std::string, std::string>>>;

Properties schema_properties(const std::string& yaml, const std::string& schema) {
  std::istringstream in(yaml);
  std::string line;
  Properties out;
  bool in_schema = false, in_properties = false;
  const std::regex property(R"(^        ([a-z_]+):\s*$)");
  const std::regex attribute(R"(^          ([a-zA-Z]+):\s*(.*?)\s*$)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (line == "    " + schema + ":") {
      in_schema = true;
      continue;
    }
    if (!in_schema) continue;
    const auto indent = line.find_first_not_of(' ');
    if (indent != std::string::npos && indent <= 4) break;  // the next schema
    if (line == "      properties:") {
      in_properties = true;
    } else if (in_properties && std::regex_match(line, m, property)) {
      out.emplace_back(m[1], std::map<std::string, std::string>{});
    } else if (in_properties && !out.empty() && std::regex_match(line, m, attribute)) {
      out.back().second[m[1]] = m[2];
    }
  }
  return out;
}

TEST(ParamDocs, OpenApiSchemaHasTheTable) {
  const Properties props = schema_properties(kOpenApiYaml, "TrainParams");
  ASSERT_EQ(props.size(), kParamCount);
  for (std::size_t i = 0; i < kParamCount; ++i) {
    const ParamSpec& s = kParams[i];
    SCOPED_TRACE(std::string(s.name));
    const auto& [name, a] = props[i];
    EXPECT_EQ(name, s.name);
    const auto at = [&a = a](const char* key) {
      const auto it = a.find(key);
      return it == a.end() ? std::string("(none)") : it->second;
    };
    EXPECT_EQ(at("type"), proto::json_type_name(s.kind));
    if (s.kind == ParamKind::kChoice) {
      std::string names;
      for (const auto c : s.choices) names += (names.empty() ? "" : ", ") + std::string(c);
      EXPECT_EQ(at("enum"), "[" + names + "]");
    }
    if (s.kind == ParamKind::kInteger) {
      EXPECT_EQ(at("minimum"), std::to_string(s.int_min));
      EXPECT_EQ(at("maximum"), std::to_string(s.int_max));
    } else if (s.kind == ParamKind::kUnsigned) {
      EXPECT_EQ(at("minimum"), "0");
      EXPECT_EQ(at("maximum"), "18446744073709551615");
    } else if (s.kind == ParamKind::kReal) {
      EXPECT_DOUBLE_EQ(std::stod(at("minimum")), s.zero_is_default ? 0.0 : s.real_min);
      EXPECT_DOUBLE_EQ(std::stod(at("maximum")), s.real_max);
    }
    if (!s.default_rule.empty()) {
      EXPECT_EQ(at("default"), "(none)") << "a default that depends on others is described";
    } else if (s.kind == ParamKind::kReal) {
      EXPECT_DOUBLE_EQ(std::stod(at("default")), std::get<double>(s.get(TrainParams{})));
    } else {
      EXPECT_EQ(at("default"), default_text(s));
    }
  }
}

TEST(ParamDocs, OpenApiJobParamsRequireEachButThoseAddedLater) {
  const std::string yaml = kOpenApiYaml;
  const auto schema = yaml.find("\n    JobParams:\n");
  ASSERT_NE(schema, std::string::npos);
  const auto open = yaml.find("required: [", schema);
  const auto close = yaml.find(']', open);
  ASSERT_NE(close, std::string::npos);
  const std::string list = yaml.substr(open + 11, close - open - 11);
  std::vector<std::string> required;
  const std::regex word("[a-z_]+");
  for (std::sregex_iterator it(list.begin(), list.end(), word), end; it != end; ++it) {
    required.push_back(it->str());
  }
  std::vector<std::string> expected;
  for (const ParamSpec& s : kParams)
    if (!s.added_later) expected.emplace_back(s.name);
  EXPECT_EQ(required, expected);
}

}  // namespace
}  // namespace w2v::server
