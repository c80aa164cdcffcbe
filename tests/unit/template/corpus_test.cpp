// Differential test: every case of the corpus must render exactly as Go 1.19's text/template rendered it
// (tests/oracle/template regenerates data/corpus.golden.json).
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "template/template.hpp"
#include "test_functions.hpp"

namespace atmos::tmpl {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The Go types yaml.v3 gives Atmos data: int when the number is an integer, uint64 when it only fits
// unsigned, float64 otherwise (the oracle converts JSON numbers the same way).
Value number(std::string_view text) {
  const char* first = text.data();
  const char* last = text.data() + text.size();
  std::int64_t i;
  if (auto r = std::from_chars(first, last, i); r.ec == std::errc() && r.ptr == last) return Value(i);
  std::uint64_t u;
  if (auto r = std::from_chars(first, last, u); r.ec == std::errc() && r.ptr == last) return Value::from_uint(u);
  return Value(std::strtod(std::string(text).c_str(), nullptr));
}

Value to_value(const rapidjson::Value& j) {
  switch (j.GetType()) {
    case rapidjson::kNullType: return Value();
    case rapidjson::kFalseType: return Value(false);
    case rapidjson::kTrueType: return Value(true);
    case rapidjson::kStringType: return Value(std::string(j.GetString(), j.GetStringLength()));
    case rapidjson::kNumberType: return Value();  // parsed as strings, see kParseNumbersAsStringsFlag
    case rapidjson::kArrayType: {
      List items;
      for (const auto& e : j.GetArray()) items.push_back(to_value(e));
      return Value::list(std::move(items));
    }
    case rapidjson::kObjectType: {
      Map m;
      for (const auto& kv : j.GetObject()) {
        m.emplace_back(std::string(kv.name.GetString(), kv.name.GetStringLength()), to_value(kv.value));
      }
      return Value::map(std::move(m));
    }
  }
  return Value();
}

// Numbers arrive as strings with kParseNumbersAsStringsFlag; strings in data are marked by the parser only
// through their JSON syntax, so the corpus is parsed twice: once with numbers as strings (to keep their exact
// text) and once normally (to know which values were numbers).
Value to_value(const rapidjson::Value& raw, const rapidjson::Value& typed) {
  if (typed.IsNumber()) return number(std::string_view(raw.GetString(), raw.GetStringLength()));
  if (typed.IsArray()) {
    List items;
    for (rapidjson::SizeType i = 0; i < typed.Size(); ++i) items.push_back(to_value(raw[i], typed[i]));
    return Value::list(std::move(items));
  }
  if (typed.IsObject()) {
    Map m;
    for (auto it = typed.MemberBegin(); it != typed.MemberEnd(); ++it) {
      std::string key(it->name.GetString(), it->name.GetStringLength());
      m.emplace_back(key, to_value(raw[key.c_str()], it->value));
    }
    return Value::map(std::move(m));
  }
  return to_value(typed);
}

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

struct Outcome {
  bool is_error = false;
  std::string text;
};

Outcome run_case(const rapidjson::Value& raw, const rapidjson::Value& typed, const FuncTable& funcs) {
  Options opts;
  if (typed.HasMember("missingkey")) {
    std::string mk = typed["missingkey"].GetString();
    opts.missing_key = mk == "zero" ? MissingKey::Zero : mk == "error" ? MissingKey::Error : MissingKey::Default;
  }
  if (typed.HasMember("delims")) {
    opts.left_delim = typed["delims"][0].GetString();
    opts.right_delim = typed["delims"][1].GetString();
  }
  Value data = typed.HasMember("data") ? to_value(raw["data"], typed["data"]) : Value();
  const auto& tmpl = typed["template"];
  try {
    return {false, render(typed["name"].GetString(), std::string_view(tmpl.GetString(), tmpl.GetStringLength()),
                          data, opts, &funcs)};
  } catch (const TemplateError& e) {
    return {true, e.what()};
  }
}

TEST(TemplateCorpus, EveryCaseMatchesGoTextTemplate) {
  const std::string corpus_text = read_file(std::string(ATMOS_TEST_DATA) + "/corpus.json");
  const std::string golden_text = read_file(std::string(ATMOS_TEST_DATA) + "/corpus.golden.json");
  rapidjson::Document raw;
  raw.Parse<rapidjson::kParseNumbersAsStringsFlag>(corpus_text.c_str(), corpus_text.size());
  rapidjson::Document typed;
  typed.Parse(corpus_text.c_str(), corpus_text.size());
  rapidjson::Document golden;
  golden.Parse(golden_text.c_str(), golden_text.size());
  ASSERT_FALSE(raw.HasParseError());
  ASSERT_FALSE(typed.HasParseError());
  ASSERT_FALSE(golden.HasParseError());
  ASSERT_EQ(typed.Size(), golden.Size()) << "regenerate the goldens: tests/oracle/template/regenerate.sh";

  const FuncTable funcs = testing::test_functions();
  int errors = 0;
  int passed = 0;
  for (rapidjson::SizeType i = 0; i < typed.Size(); ++i) {
    const auto& want = golden[i];
    const std::string name = typed[i]["name"].GetString();
    ASSERT_EQ(name, want["name"].GetString());
    Outcome got = run_case(raw[i], typed[i], funcs);
    Outcome expected;
    if (want.HasMember("error")) {
      expected = {true, want["error"].GetString()};
      ++errors;
    } else if (want.HasMember("output_hex")) {
      expected = {false, from_hex(want["output_hex"].GetString())};
    } else if (want.HasMember("output")) {
      expected = {false, std::string(want["output"].GetString(), want["output"].GetStringLength())};
    }
    if (got.is_error == expected.is_error && got.text == expected.text) {
      ++passed;
      continue;
    }
    ADD_FAILURE() << "case " << name << "\n  want " << (expected.is_error ? "error" : "output") << ": "
                  << expected.text << "\n  got  " << (got.is_error ? "error" : "output") << ": " << got.text;
  }
  EXPECT_GE(typed.Size(), 300u);
  EXPECT_GE(errors, 80);
  std::cout << "template corpus: " << passed << "/" << typed.Size() << " cases match Go (" << errors
            << " error cases)\n";
}

}  // namespace
}  // namespace atmos::tmpl
