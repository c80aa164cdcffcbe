// Differential test: every case of the corpus must render exactly as Go 1.19's text/template rendered it
// (tests/oracle/template regenerates data/corpus.golden.json).
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

#include "core/file.hpp"
#include "template/template.hpp"
#include "test_functions.hpp"

namespace atmos::tmpl {
namespace {

// Data as the Go types yaml.v3 gives Atmos: integers are int (uint64 when they only fit unsigned), other
// numbers float64 — the oracle converts JSON numbers the same way.
Value to_value(const rapidjson::Value& j) {
  switch (j.GetType()) {
    case rapidjson::kNullType: return Value();
    case rapidjson::kFalseType: return Value(false);
    case rapidjson::kTrueType: return Value(true);
    case rapidjson::kStringType: return Value(std::string(j.GetString(), j.GetStringLength()));
    case rapidjson::kNumberType:
      if (j.IsInt64()) return Value(j.GetInt64());
      if (j.IsUint64()) return Value::from_uint(j.GetUint64());
      return Value(j.GetDouble());
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

// A case without "data" renders the corpus's shared_data; "data": null is nil data.
Outcome run_case(const rapidjson::Value& c, const Value& shared_data, const FuncTable& funcs) {
  Options opts;
  if (c.HasMember("missingkey")) {
    std::string mk = c["missingkey"].GetString();
    opts.missing_key = mk == "zero" ? MissingKey::Zero : mk == "error" ? MissingKey::Error : MissingKey::Default;
  }
  if (c.HasMember("delims")) {
    opts.left_delim = c["delims"][0].GetString();
    opts.right_delim = c["delims"][1].GetString();
  }
  Value data = c.HasMember("data") ? to_value(c["data"]) : shared_data;
  const auto& tmpl = c["template"];
  try {
    return {false, render(c["name"].GetString(), std::string_view(tmpl.GetString(), tmpl.GetStringLength()), data, opts,
                          &funcs)};
  } catch (const TemplateError& e) {
    return {true, e.what()};
  }
}

TEST(TemplateCorpus, EveryCaseMatchesGoTextTemplate) {
  const std::string corpus_text = read_text_file(std::string(ATMOS_TEST_DATA) + "/corpus.json");
  const std::string golden_text = read_text_file(std::string(ATMOS_TEST_DATA) + "/corpus.golden.json");
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseFullPrecisionFlag>(corpus_text.c_str(), corpus_text.size());
  rapidjson::Document golden;
  golden.Parse(golden_text.c_str(), golden_text.size());
  ASSERT_FALSE(doc.HasParseError());
  ASSERT_FALSE(golden.HasParseError());
  const Value shared_data = to_value(doc["shared_data"]);
  const auto& corpus = doc["cases"];
  ASSERT_EQ(corpus.Size(), golden.Size()) << "regenerate the goldens: tests/oracle/template/regenerate.sh";

  const FuncTable funcs = testing::test_functions();
  int errors = 0;
  int passed = 0;
  for (rapidjson::SizeType i = 0; i < corpus.Size(); ++i) {
    const auto& want = golden[i];
    const std::string name = corpus[i]["name"].GetString();
    ASSERT_EQ(name, want["name"].GetString());
    Outcome got = run_case(corpus[i], shared_data, funcs);
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
    ADD_FAILURE() << "case " << name << "\n  want " << (expected.is_error ? "error" : "output") << ": " << expected.text
                  << "\n  got  " << (got.is_error ? "error" : "output") << ": " << got.text;
  }
  EXPECT_GE(corpus.Size(), 300u);
  EXPECT_GE(errors, 80);
  std::cout << "template corpus: " << passed << "/" << corpus.Size() << " cases match Go (" << errors
            << " error cases)\n";
}

}  // namespace
}  // namespace atmos::tmpl
