#include "terraform/generated_files.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/yaml_load.hpp"

using atmos::Error;
using atmos::parse_yaml;
using atmos::Value;
using namespace atmos::terraform;

TEST(GeneratedFiles, S3BackendDocumentIsSortedIndentedWithTrailingNewline) {
  Value backend = parse_yaml("bucket: acme-tfstate\nencrypt: true\nuse_lockfile: true\nkey: terraform.tfstate\n"
                             "workspace_key_prefix: vpc\nregion: us-east-2\n");
  EXPECT_EQ(file_text(backend_document("s3", backend, "plat-use2-dev")),
            "{\n"
            "  \"terraform\": {\n"
            "    \"backend\": {\n"
            "      \"s3\": {\n"
            "        \"bucket\": \"acme-tfstate\",\n"
            "        \"encrypt\": true,\n"
            "        \"key\": \"terraform.tfstate\",\n"
            "        \"region\": \"us-east-2\",\n"
            "        \"use_lockfile\": true,\n"
            "        \"workspace_key_prefix\": \"vpc\"\n"
            "      }\n"
            "    }\n"
            "  }\n"
            "}\n");
}

TEST(GeneratedFiles, CloudBackendReplacesWorkspaceToken) {
  Value backend = parse_yaml("organization: acme\nworkspaces:\n  name: \"{terraform_workspace}-app\"\n");
  EXPECT_EQ(file_text(backend_document("cloud", backend, "dev")),
            "{\n  \"terraform\": {\n    \"cloud\": {\n      \"organization\": \"acme\",\n      \"workspaces\": {\n"
            "        \"name\": \"dev-app\"\n      }\n    }\n  }\n}\n");
}

TEST(GeneratedFiles, EmptyBackendTypeIsAnError) {
  try {
    backend_document("", Value::empty_map(), "dev");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "backend_type is required");
  }
}

TEST(GeneratedFiles, HtmlCharactersAreEscapedLikeGoEncoder) {
  Value backend = parse_yaml("path: \"a<b>&c\"\n");
  EXPECT_NE(file_text(backend_document("local", backend, "")).find("\"a\\u003cb\\u003e\\u0026c\""), std::string::npos);
}

TEST(GeneratedFiles, ProviderAliasesBecomeArraysWithBaseFirstAndAliasFilledIn) {
  Value providers = parse_yaml("aws:\n  region: us-east-2\naws.use1:\n  region: us-east-1\naws.euw1:\n  region: eu-west-1\n"
                               "  alias: europe\ngoogle:\n  project: p\n");
  EXPECT_EQ(file_text(provider_override_document(providers)),
            "{\n"
            "  \"provider\": {\n"
            "    \"aws\": [\n"
            "      {\n        \"region\": \"us-east-2\"\n      },\n"
            "      {\n        \"alias\": \"europe\",\n        \"region\": \"eu-west-1\"\n      },\n"
            "      {\n        \"alias\": \"use1\",\n        \"region\": \"us-east-1\"\n      }\n"
            "    ],\n"
            "    \"google\": {\n      \"project\": \"p\"\n    }\n"
            "  }\n"
            "}\n");
}

TEST(GeneratedFiles, ProvidersWithoutAliasesArePassedThrough) {
  Value providers = parse_yaml("aws:\n  region: us-east-2\n");
  EXPECT_EQ(file_text(provider_override_document(providers)),
            "{\n  \"provider\": {\n    \"aws\": {\n      \"region\": \"us-east-2\"\n    }\n  }\n}\n");
}

TEST(GeneratedFiles, TerraformOverrideOnlyWhenVersionOrProvidersAreSet) {
  EXPECT_FALSE(terraform_override_document("", Value::empty_map()).has_value());
  auto doc = terraform_override_document(">= 1.10.0", parse_yaml("aws:\n  source: hashicorp/aws\n  version: \"~> 5.0\"\n"));
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(file_text(*doc),
            "{\n  \"terraform\": {\n    \"required_providers\": {\n      \"aws\": {\n        \"source\": \"hashicorp/aws\",\n"
            "        \"version\": \"~\\u003e 5.0\"\n      }\n    },\n    \"required_version\": \"\\u003e= 1.10.0\"\n  }\n}\n");
}

TEST(GeneratedFiles, RequiredProviderWithoutSourceIsAnError) {
  try {
    terraform_override_document("", parse_yaml("aws:\n  version: \"~> 5.0\"\n"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "required_provider missing 'source' field");
  }
}
