#include "proto/requests.h"

#include <gtest/gtest.h>

#include <limits>
#include <set>
#include <string>

#include "proto/api_error.h"
#include "proto/records.h"

namespace w2v::proto {
namespace {

using nlohmann::json;

// Runs f and returns the ApiError it throws (a failure when it throws none).
template <class F>
ApiError error_of(F f) {
  try {
    f();
  } catch (const ApiError& e) {
    return e;
  }
  ADD_FAILURE() << "no ApiError thrown";
  return ApiError(0, "none", "");
}

#define EXPECT_MESSAGE_HAS(err, part)                                \
  EXPECT_NE(std::string((err).what()).find(part), std::string::npos) \
      << "message \"" << (err).what() << "\" lacks \"" << (part) << "\""

// Expects a 400 with code and a message containing every one of parts.
template <class F>
void expect_400(F f, const std::string& code, std::initializer_list<std::string> parts) {
  const ApiError e = error_of(f);
  EXPECT_EQ(e.status(), 400);
  EXPECT_EQ(e.code(), code) << e.what();
  for (const auto& p : parts) EXPECT_MESSAGE_HAS(e, p);
}

// The parameters of a request's "params" as a job is admitted with them (defaults settled).
TrainParams params_of(const std::string& body) {
  return settle_params(parse_train_params(json::parse(body)).over({}));
}

TrainParams settled(const CreateJobRequest& r) {
  return settle_params(r.params.over({}));
}

// The names of the parameters a request sets.
std::set<std::string> given_names(const CreateJobRequest& r) {
  std::set<std::string> out;
  for (const ParamSpec& s : kParams)
    if (r.params.given(s)) out.emplace(s.name);
  return out;
}

// ---- parse_json_body ----

TEST(ParseJsonBody, AcceptsAnObject) {
  const json j = parse_json_body(R"({"corpus_id": "c1", "params": {"dim": 50}})");
  EXPECT_EQ(j["corpus_id"], "c1");
  EXPECT_EQ(j["params"]["dim"], 50);
  EXPECT_TRUE(parse_json_body(" {} \n").empty());
}

TEST(ParseJsonBody, SyntaxErrorsNameThePosition) {
  expect_400([] { parse_json_body("{\"a\": 1,}"); }, "invalid_json",
             {"not valid JSON", "line 1, column 9"});
  expect_400([] { parse_json_body("{\n  \"a\": tru }"); }, "invalid_json", {"line 2"});
  expect_400([] { parse_json_body("{\"a\": 1} x"); }, "invalid_json", {"column"});
  const ApiError e = error_of([] { parse_json_body("{x"); });
  EXPECT_EQ(std::string(e.what()).find("[json.exception"), std::string::npos) << e.what();
}

TEST(ParseJsonBody, EmptyBodyIsRefused) {
  expect_400([] { parse_json_body(""); }, "invalid_json", {"empty"});
  expect_400([] { parse_json_body("  \r\n"); }, "invalid_json", {"empty"});
}

TEST(ParseJsonBody, TopLevelMustBeAnObject) {
  for (const char* body : {"[1, 2]", "\"text\"", "42", "null", "true"})
    expect_400([&] { parse_json_body(body); }, "invalid_json",
               {"request body must be a JSON object"});
}

TEST(ParseJsonBody, InvalidUtf8IsAJsonError) {
  const ApiError e = error_of([] { parse_json_body("{\"w\": \"a\xFF\"}"); });
  EXPECT_EQ(e.status(), 400);
  EXPECT_EQ(e.code(), "invalid_json");
  EXPECT_NO_THROW((void)error_body(e.code(), e.what()));
}

TEST(ParseJsonBody, DeepNestingIsRefused) {
  const std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  expect_400([&] { parse_json_body(deep); }, "invalid_json", {"nested"});
  const std::string ok = "{\"a\":" + std::string(20, '[') + std::string(20, ']') + "}";
  EXPECT_NO_THROW(parse_json_body(ok));
}

TEST(ParseJsonBody, NumberOverflowIsAJsonError) {
  expect_400([] { parse_json_body(R"({"k": 1e999})"); }, "invalid_json", {"not valid JSON"});
}

// ---- parse_train_params ----

TEST(TrainParamsParse, EmptyObjectGivesDefaults) {
  const TrainParams p = params_of("{}");
  EXPECT_EQ(p.model, ModelType::kSkipgram);
  EXPECT_EQ(p.loss, LossType::kNegativeSampling);
  EXPECT_EQ(p.dim, 100);
  EXPECT_EQ(p.window, 5);
  EXPECT_EQ(p.negative, 5);
  EXPECT_EQ(p.min_count, 5);
  EXPECT_EQ(p.max_vocab, 0);
  EXPECT_DOUBLE_EQ(p.sample, 1e-4);
  EXPECT_EQ(p.epochs, 5);
  EXPECT_DOUBLE_EQ(p.alpha, 0.025);  // filled with the model's default
  EXPECT_EQ(p.threads, 0);           // left to the server
  EXPECT_EQ(p.seed, 1u);
  EXPECT_TRUE(p.shrink_windows);
  EXPECT_EQ(p.maxn, 0);  // no subwords
  EXPECT_EQ(p.minn, 3);
  EXPECT_EQ(p.bucket, 2'000'000);
}

TEST(TrainParamsParse, SubwordSettingsAndTheirRanges) {
  const TrainParams p = params_of(R"({"minn": 2, "maxn": 5, "bucket": 1000})");
  EXPECT_EQ(p.minn, 2);
  EXPECT_EQ(p.maxn, 5);
  EXPECT_EQ(p.bucket, 1000);
  EXPECT_TRUE(p.subwords());
  expect_400([] { params_of(R"({"maxn": 33})"); }, "invalid_argument",
             {"params.maxn must be an integer in [0, 32], got 33"});
  expect_400([] { params_of(R"({"minn": 0})"); }, "invalid_argument",
             {"params.minn must be an integer in [1, 32], got 0"});
  expect_400([] { params_of(R"({"bucket": 0})"); }, "invalid_argument",
             {"params.bucket must be an integer in [1, 100000000], got 0"});
}

TEST(TrainParamsParse, ShrinkWindowsIsABoolean) {
  EXPECT_FALSE(params_of(R"({"shrink_windows": false})").shrink_windows);
  EXPECT_TRUE(params_of(R"({"shrink_windows": true})").shrink_windows);
  for (const char* body : {R"({"shrink_windows": 0})", R"({"shrink_windows": "false"})",
                           R"({"shrink_windows": null})"}) {
    SCOPED_TRACE(body);
    expect_400([&] { params_of(body); }, "invalid_argument",
               {"params.shrink_windows must be true or false, got"});
  }
}

TEST(TrainParamsParse, CbowDefaultAlpha) {
  EXPECT_DOUBLE_EQ(params_of(R"({"model": "cbow"})").alpha, 0.05);
  EXPECT_DOUBLE_EQ(params_of(R"({"model": "cbow", "alpha": 0})").alpha, 0.05);
  EXPECT_DOUBLE_EQ(params_of(R"({"alpha": 0})").alpha, 0.025);
}

TEST(TrainParamsParse, AllFields) {
  const TrainParams p = params_of(R"({"model": "cbow", "loss": "hs", "dim": 300, "window": 10,
      "negative": 20, "min_count": 1, "max_vocab": 50000, "sample": 0.001, "epochs": 15,
      "alpha": 0.01, "threads": 8, "seed": 18446744073709551615})");
  EXPECT_EQ(p.model, ModelType::kCbow);
  EXPECT_EQ(p.loss, LossType::kHierarchicalSoftmax);
  EXPECT_EQ(p.dim, 300);
  EXPECT_EQ(p.window, 10);
  EXPECT_EQ(p.negative, 20);
  EXPECT_EQ(p.min_count, 1);
  EXPECT_EQ(p.max_vocab, 50000);
  EXPECT_DOUBLE_EQ(p.sample, 0.001);
  EXPECT_EQ(p.epochs, 15);
  EXPECT_DOUBLE_EQ(p.alpha, 0.01);
  EXPECT_EQ(p.threads, 8);
  EXPECT_EQ(p.seed, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(params_of(R"({"loss": "softmax"})").loss, LossType::kSoftmax);
}

TEST(TrainParamsParse, RecordJsonParsesBack) {
  // The job record's params (defaults filled) are themselves a valid params object.
  TrainParams p;
  p.model = ModelType::kCbow;
  p.dim = 64;
  p.alpha = 0.05;
  p.seed = 42;
  const TrainParams back = settle_params(parse_train_params(to_json(p)).over({}));
  EXPECT_EQ(to_json(back), to_json(p));
}

TEST(TrainParamsParse, LimitsAreInclusive) {
  EXPECT_EQ(params_of(R"({"dim": 1})").dim, 1);
  EXPECT_EQ(params_of(R"({"dim": 4096})").dim, 4096);
  EXPECT_EQ(params_of(R"({"window": 100})").window, 100);
  EXPECT_EQ(params_of(R"({"negative": 64})").negative, 64);
  EXPECT_EQ(params_of(R"({"epochs": 1000})").epochs, 1000);
  EXPECT_EQ(params_of(R"({"threads": 1024})").threads, 1024);
  EXPECT_EQ(params_of(R"({"min_count": 1000000000})").min_count, 1000000000);
  EXPECT_EQ(params_of(R"({"max_vocab": 100000000})").max_vocab, 100000000);
  EXPECT_DOUBLE_EQ(params_of(R"({"sample": 0})").sample, 0.0);
  EXPECT_DOUBLE_EQ(params_of(R"({"sample": 1})").sample, 1.0);
  EXPECT_DOUBLE_EQ(params_of(R"({"alpha": 1})").alpha, 1.0);
  EXPECT_DOUBLE_EQ(params_of(R"({"alpha": 1e-6})").alpha, 1e-6);
  EXPECT_EQ(params_of(R"({"seed": 0})").seed, 0u);
}

TEST(TrainParamsParse, OutOfRangeNamesFieldAndRange) {
  struct Case {
    const char* body;
    std::string expected;
  };
  const Case cases[] = {
      {R"({"dim": 0})", "params.dim must be an integer in [1, 4096], got 0"},
      {R"({"dim": 4097})", "params.dim must be an integer in [1, 4096], got 4097"},
      {R"({"dim": -3})", "params.dim must be an integer in [1, 4096], got -3"},
      {R"({"dim": 99999999999999})",
       "params.dim must be an integer in [1, 4096], got 99999999999999"},
      {R"({"dim": 18446744073709551615})", "params.dim must be an integer in [1, 4096]"},
      {R"({"window": 0})", "params.window must be an integer in [1, 100], got 0"},
      {R"({"window": 101})", "params.window must be an integer in [1, 100], got 101"},
      {R"({"negative": 65})", "params.negative must be an integer in [1, 64], got 65"},
      {R"({"negative": 0})", "params.negative must be an integer in [1, 64], got 0"},
      {R"({"min_count": 0})", "params.min_count must be an integer in [1, 1000000000], got 0"},
      {R"({"max_vocab": -1})", "params.max_vocab must be an integer in [0, 100000000], got -1"},
      {R"({"epochs": 0})", "params.epochs must be an integer in [1, 1000], got 0"},
      {R"({"epochs": 1001})", "params.epochs must be an integer in [1, 1000], got 1001"},
      {R"({"threads": -1})", "params.threads must be an integer in [0, 1024], got -1"},
      {R"({"threads": 1025})", "params.threads must be an integer in [0, 1024], got 1025"},
      {R"({"sample": 1.5})", "params.sample must be a number in [0, 1], got 1.5"},
      {R"({"sample": -0.1})", "params.sample must be a number in [0, 1], got -0.1"},
      {R"({"alpha": 2})", "params.alpha must be a number in [1e-06, 1]"},
      {R"({"alpha": -0.01})", "params.alpha must be a number in [1e-06, 1]"},
      {R"({"alpha": 1e-9})", "params.alpha must be a number in [1e-06, 1]"},
      {R"({"seed": -1})", "params.seed must be an integer in [0, 18446744073709551615], got -1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    expect_400([&] { params_of(c.body); }, "invalid_argument", {c.expected});
  }
}

TEST(TrainParamsParse, WrongTypesNameFieldAndValue) {
  struct Case {
    const char* body;
    std::string expected;
  };
  const Case cases[] = {
      {R"({"window": "5"})", R"(params.window must be an integer, got "5")"},
      {R"({"window": 5.5})", "params.window must be an integer, got 5.5"},
      {R"({"window": true})", "params.window must be an integer, got true"},
      {R"({"window": null})", "params.window must be an integer, got null"},
      {R"({"window": [5]})", "params.window must be an integer, got [5]"},
      {R"({"dim": {"v": 5}})", "params.dim must be an integer, got {\"v\":5}"},
      {R"({"min_count": false})", "params.min_count must be an integer, got false"},
      {R"({"seed": 1.5})", "params.seed must be an integer, got 1.5"},
      {R"({"seed": "7"})", R"(params.seed must be an integer, got "7")"},
      {R"({"sample": "1e-4"})", R"(params.sample must be a number, got "1e-4")"},
      {R"({"alpha": true})", "params.alpha must be a number, got true"},
      {R"({"model": "glove"})", R"(params.model must be "skipgram" or "cbow", got "glove")"},
      {R"({"model": 1})", "params.model must be a string"},
      {R"({"loss": "nce"})", R"(params.loss must be "ns", "hs" or "softmax", got "nce")"},
      {R"({"loss": null})", "params.loss must be a string"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    expect_400([&] { params_of(c.body); }, "invalid_argument", {c.expected});
  }
}

TEST(TrainParamsParse, IntegralFloatsAreIntegers) {
  EXPECT_EQ(params_of(R"({"window": 5.0})").window, 5);
  EXPECT_EQ(params_of(R"({"dim": 1e2})").dim, 100);
  EXPECT_EQ(params_of(R"({"seed": 7.0})").seed, 7u);
  expect_400([] { params_of(R"({"dim": 0.0})"); }, "invalid_argument",
             {"params.dim must be an integer in [1, 4096]"});
  expect_400([] { params_of(R"({"dim": 1e300})"); }, "invalid_argument",
             {"params.dim must be an integer in [1, 4096]"});
}

TEST(TrainParamsParse, UnknownFieldsListTheKnownOnes) {
  expect_400([] { params_of(R"({"dimension": 100})"); }, "unknown_field",
             {"unknown field params.dimension (known: model, loss, kernel, dim, window, "
              "shrink_windows, negative, min_count, max_vocab, sample, epochs, alpha, threads, "
              "seed, minn, maxn, bucket)"});
  expect_400([] { params_of(R"({"dim": 100, "iter": 5})"); }, "unknown_field", {"params.iter"});
}

TEST(TrainParamsParse, ParamsMustBeAnObject) {
  expect_400([] { parse_train_params(json::array()); }, "invalid_argument",
             {"params must be an object"});
  expect_400([] { parse_train_params(json("dim=5")); }, "invalid_argument",
             {"params must be an object"});
}

TEST(TrainParamsParse, FieldPrefixFollowsTheArgument) {
  expect_400(
      [] {
        parse_train_params(json{{"dim", 0}}, "job.params");
      },
      "invalid_argument", {"job.params.dim must be an integer in [1, 4096], got 0"});
}

// ---- parse_create_job ----

TEST(CreateJob, MinimalAndFull) {
  const CreateJobRequest a = parse_create_job(json::parse(R"({"corpus_id": "c_1"})"));
  EXPECT_EQ(a.corpus_id, "c_1");
  EXPECT_EQ(a.name, "");
  EXPECT_EQ(settled(a).dim, 100);
  EXPECT_DOUBLE_EQ(settled(a).alpha, 0.025);

  const CreateJobRequest b = parse_create_job(
      json::parse(R"({"corpus_id": "c_2", "name": "my model", "params": {"dim": 32}})"));
  EXPECT_EQ(b.corpus_id, "c_2");
  EXPECT_EQ(b.name, "my model");
  EXPECT_EQ(settled(b).dim, 32);
}

TEST(CreateJob, InitModelVocabularyAndTheParamsGiven) {
  const CreateJobRequest a = parse_create_job(json::parse(R"({"corpus_id": "c_1"})"));
  EXPECT_FALSE(a.init_model);
  EXPECT_TRUE(given_names(a).empty());

  const CreateJobRequest b = parse_create_job(json::parse(
      R"({"corpus_id": "c_1", "init_model": "m_9", "params": {"epochs": 3, "alpha": 0.01}})"));
  EXPECT_EQ(b.init_model, "m_9");
  EXPECT_EQ(b.vocabulary, VocabularyMode::kExtend);
  EXPECT_EQ(given_names(b), (std::set<std::string>{"epochs", "alpha"}));

  const CreateJobRequest c = parse_create_job(
      json::parse(R"({"corpus_id": "c_1", "init_model": "m_9", "vocabulary": "keep"})"));
  EXPECT_EQ(c.vocabulary, VocabularyMode::kKeep);

  expect_400(
      [] {
        parse_create_job(json{{"corpus_id", "c"}, {"vocabulary", "keep"}});
      },
      "invalid_argument", {"vocabulary applies only with init_model"});
  expect_400(
      [] {
        parse_create_job(json{{"corpus_id", "c"}, {"init_model", "m"}, {"vocabulary", "all"}});
      },
      "invalid_argument", {"vocabulary must be \"extend\" or \"keep\", got \"all\""});
  expect_400(
      [] {
        parse_create_job(json{{"corpus_id", "c"}, {"init_model", ""}});
      },
      "invalid_argument", {"init_model must be a non-empty string"});
  expect_400(
      [] {
        parse_create_job(json{{"corpus_id", "c"}, {"init_model", 7}});
      },
      "invalid_argument", {"init_model must be a string, got 7"});
}

TEST(CreateJob, Ranks) {
  EXPECT_EQ(parse_create_job(json{{"corpus_id", "c"}}).ranks, 1);
  EXPECT_EQ(parse_create_job(json{{"corpus_id", "c"}, {"ranks", 4}}).ranks, 4);
  EXPECT_EQ(parse_create_job(json{{"corpus_id", "c"}, {"ranks", 2.0}}).ranks, 2);
  const std::pair<json, std::string> refused[] = {
      {0, "ranks must be an integer in [1, 4096], got 0"},
      {5000, "ranks must be an integer in [1, 4096], got 5000"},
      {1.5, "ranks must be an integer, got 1.5"},
      {"2", "ranks must be an integer, got \"2\""},
  };
  for (const auto& [ranks, message] : refused) {
    expect_400(
        [&, value = ranks] {
          parse_create_job(json{{"corpus_id", "c"}, {"ranks", value}});
        },
        "invalid_argument", {message});
  }
}

TEST(CreateJob, Errors) {
  expect_400([] { parse_create_job(json::object()); }, "invalid_argument",
             {"corpus_id is required"});
  expect_400(
      [] {
        parse_create_job(json{{"corpus_id", 5}});
      },
      "invalid_argument", {"corpus_id must be a string, got 5"});
  expect_400(
      [] {
        parse_create_job(json{{"corpus_id", ""}});
      },
      "invalid_argument", {"corpus_id must be a non-empty string"});
  expect_400(
      [] {
        parse_create_job(json{{"corpus_id", "c"}, {"name", 1}});
      },
      "invalid_argument", {"name must be a string"});
  expect_400(
      [] {
        parse_create_job(json{{"corpus_id", "c"}, {"params", 1}});
      },
      "invalid_argument", {"params must be an object, got 1"});
  expect_400(
      [] {
        parse_create_job(json{{"corpus_id", "c"}, {"params", {{"dim", 0}}}});
      },
      "invalid_argument", {"params.dim must be an integer in [1, 4096], got 0"});
  expect_400(
      [] {
        parse_create_job(json{{"corpus", "c"}});
      },
      "unknown_field",
      {"unknown field corpus (known: corpus_id, name, params, init_model, vocabulary, ranks)"});
  expect_400([] { parse_create_job(json::array()); }, "invalid_argument",
             {"must be a JSON object"});
}

// ---- parse_similar ----

TEST(Similar, Parses) {
  const SimilarRequest r =
      parse_similar(json::parse(R"({"positive": ["king", "woman"], "negative": ["man"], "k": 3})"));
  EXPECT_EQ(r.positive, (std::vector<std::string>{"king", "woman"}));
  EXPECT_EQ(r.negative, (std::vector<std::string>{"man"}));
  EXPECT_EQ(r.k, 3u);
  const SimilarRequest d = parse_similar(json::parse(R"({"positive": ["paris"]})"));
  EXPECT_EQ(d.k, 10u);
  EXPECT_TRUE(d.negative.empty());
  EXPECT_EQ(parse_similar(json::parse(R"({"negative": ["x"]})")).negative.size(), 1u);
  EXPECT_EQ(parse_similar(json::parse(R"({"positive": ["x"], "k": 1000})")).k, 1000u);
  EXPECT_EQ(parse_similar(json::parse(R"({"positive": ["x"], "k": 1})")).k, 1u);
  // Valid UTF-8 words, 4-byte characters included, are kept as sent.
  const SimilarRequest u = parse_similar(json::parse("{\"positive\": [\"\xF0\x9F\x98\x80\"]}"));
  EXPECT_EQ(u.positive[0], "\xF0\x9F\x98\x80");
}

TEST(Similar, ExactIsUnsetUnlessGiven) {
  EXPECT_FALSE(parse_similar(json::parse(R"({"positive": ["a"]})")).exact.has_value());
  EXPECT_EQ(parse_similar(json::parse(R"({"positive": ["a"], "exact": false})")).exact, false);
  EXPECT_EQ(parse_similar(json::parse(R"({"positive": ["a"], "exact": true})")).exact, true);
}

// ---- parse_batch_vectors, parse_batch_similar ----

TEST(Batch, Parses) {
  const BatchRequest v = parse_batch_vectors(json::parse(R"({"words": ["a", "b", "a"]})"));
  EXPECT_EQ(v.words, (std::vector<std::string>{"a", "b", "a"}));
  const BatchRequest s =
      parse_batch_similar(json::parse(R"({"words": ["a"], "k": 3, "exact": false})"));
  EXPECT_EQ(s.k, 3u);
  EXPECT_EQ(s.exact, false);
  EXPECT_EQ(parse_batch_similar(json::parse(R"({"words": ["a"]})")).k, 10u);
  const json full = {{"words", std::vector<std::string>(kMaxBatchWords, "w")}, {"k", 100}};
  EXPECT_EQ(parse_batch_similar(full).words.size(), kMaxBatchWords);
}

TEST(Batch, Errors) {
  expect_400([] { parse_batch_vectors(json::object()); }, "invalid_argument",
             {"words is required"});
  expect_400([] { parse_batch_vectors(json::parse(R"({"words": []})")); }, "invalid_argument",
             {"words must hold at least one word"});
  expect_400([] { parse_batch_vectors(json::parse(R"({"words": ["a", 1]})")); }, "invalid_argument",
             {"words[1] must be a string, got 1"});
  expect_400([] { parse_batch_vectors(json::parse(R"({"words": ["a"], "k": 2})")); },
             "unknown_field", {"unknown field k (known: words)"});
  expect_400(
      [] {
        parse_batch_vectors(json{{"words", std::vector<std::string>(1001, "w")}});
      },
      "invalid_argument", {"words may hold at most 1000 words, got 1001"});
  expect_400([] { parse_batch_similar(json::parse(R"({"words": ["a"], "k": 1001})")); },
             "invalid_argument", {"k must be an integer in [1, 1000], got 1001"});
  expect_400(
      [] {
        parse_batch_similar(json{{"words", std::vector<std::string>(200, "w")}, {"k", 501}});
      },
      "invalid_argument", {"words x k must be at most 100000, got 200 x 501"});
  expect_400([] { parse_batch_similar(json::parse(R"({"words": ["a"], "exact": 1})")); },
             "invalid_argument", {"exact must be true or false"});
  expect_400([] { parse_batch_similar(json::parse(R"({"words": "a"})")); }, "invalid_argument",
             {"words must be an array of words"});
}

// ---- parse_model_patch ----

TEST(ModelPatch, NameAndSearch) {
  const ModelPatch p = parse_model_patch(json::parse(R"({"search": "approximate"})"));
  EXPECT_EQ(p.search, SearchMode::kApproximate);
  EXPECT_FALSE(p.name);
  const ModelPatch q = parse_model_patch(json::parse(R"({"name": "n", "search": "exact"})"));
  EXPECT_EQ(q.name, "n");
  EXPECT_EQ(q.search, SearchMode::kExact);
}

TEST(ModelPatch, Errors) {
  expect_400([] { parse_model_patch(json::object()); }, "invalid_argument",
             {"nothing to change: give name or search"});
  expect_400([] { parse_model_patch(json::parse(R"({"search": "fast"})")); }, "invalid_argument",
             {R"(search must be "exact" or "approximate", got "fast")"});
  expect_400([] { parse_model_patch(json::parse(R"({"search": true})")); }, "invalid_argument",
             {"search must be"});
  expect_400([] { parse_model_patch(json::parse(R"({"name": ""})")); }, "invalid_argument",
             {"name"});
  expect_400([] { parse_model_patch(json::parse(R"({"ef": 200})")); }, "unknown_field",
             {"unknown field ef (known: name, search)"});
  expect_400([] { parse_model_patch(json::parse("[1]")); }, "invalid_argument", {"object"});
}

TEST(Similar, Errors) {
  expect_400([] { parse_similar(json::object()); }, "invalid_argument",
             {"positive and negative must not both be empty"});
  expect_400([] { parse_similar(json::parse(R"({"positive": [], "negative": []})")); },
             "invalid_argument", {"positive and negative"});
  expect_400([] { parse_similar(json::parse(R"({"positive": "king"})")); }, "invalid_argument",
             {"positive must be an array"});
  expect_400([] { parse_similar(json::parse(R"({"positive": ["a", 5]})")); }, "invalid_argument",
             {"positive[1] must be a string, got 5"});
  expect_400([] { parse_similar(json::parse(R"({"negative": [""]})")); }, "invalid_argument",
             {"negative[0] must be a non-empty string"});
  expect_400([] { parse_similar(json::parse(R"({"positive": ["a"], "k": 0})")); },
             "invalid_argument", {"k must be an integer in [1, 1000], got 0"});
  expect_400([] { parse_similar(json::parse(R"({"positive": ["a"], "k": 1001})")); },
             "invalid_argument", {"k must be an integer in [1, 1000], got 1001"});
  expect_400([] { parse_similar(json::parse(R"({"positive": ["a"], "k": "10"})")); },
             "invalid_argument", {R"(k must be an integer, got "10")"});
  expect_400([] { parse_similar(json::parse(R"({"positive": ["a"], "k": 2.5})")); },
             "invalid_argument", {"k must be an integer, got 2.5"});
  expect_400([] { parse_similar(json::parse(R"({"positive": ["a"], "topn": 5})")); },
             "unknown_field", {"unknown field topn (known: positive, negative, k, exact)"});
  expect_400([] { parse_similar(json::parse(R"({"positive": ["a"], "exact": "no"})")); },
             "invalid_argument", {"exact must be true or false"});
}

// ---- parse_analogy ----

TEST(Analogy, Parses) {
  const AnalogyRequest r =
      parse_analogy(json::parse(R"({"a": "man", "b": "king", "c": "woman", "k": 5})"));
  EXPECT_EQ(r.a, "man");
  EXPECT_EQ(r.b, "king");
  EXPECT_EQ(r.c, "woman");
  EXPECT_EQ(r.k, 5u);
  EXPECT_EQ(r.method, AnalogyMethod::kAdd);
  const AnalogyRequest m =
      parse_analogy(json::parse(R"({"a": "x", "b": "y", "c": "z", "method": "mul"})"));
  EXPECT_EQ(m.method, AnalogyMethod::kMul);
  EXPECT_EQ(m.k, 10u);
  EXPECT_EQ(parse_analogy(json::parse(R"({"a": "x", "b": "y", "c": "z", "method": "add"})")).method,
            AnalogyMethod::kAdd);
}

TEST(Analogy, Errors) {
  expect_400([] { parse_analogy(json::parse(R"({"a": "x", "b": "y"})")); }, "invalid_argument",
             {"c is required"});
  expect_400([] { parse_analogy(json::parse(R"({"b": "y", "c": "z"})")); }, "invalid_argument",
             {"a is required"});
  expect_400([] { parse_analogy(json::parse(R"({"a": 1, "b": "y", "c": "z"})")); },
             "invalid_argument", {"a must be a string, got 1"});
  expect_400([] { parse_analogy(json::parse(R"({"a": "x", "b": "", "c": "z"})")); },
             "invalid_argument", {"b must be a non-empty string"});
  expect_400([] { parse_analogy(json::parse(R"({"a": "x", "b": "y", "c": "z", "k": 0})")); },
             "invalid_argument", {"k must be an integer in [1, 1000], got 0"});
  expect_400(
      [] { parse_analogy(json::parse(R"({"a": "x", "b": "y", "c": "z", "method": "cos"})")); },
      "invalid_argument", {R"(method must be "add" or "mul", got "cos")"});
  expect_400([] { parse_analogy(json::parse(R"({"a": "x", "b": "y", "c": "z", "method": 1})")); },
             "invalid_argument", {"method must be a string"});
  expect_400([] { parse_analogy(json::parse(R"({"a": "x", "b": "y", "c": "z", "d": "w"})")); },
             "unknown_field", {"unknown field d (known: a, b, c, k, method)"});
}

// ---- parse_k ----

TEST(ParseK, AcceptsIntegersInRange) {
  EXPECT_EQ(parse_k("10"), 10u);
  EXPECT_EQ(parse_k("1"), 1u);
  EXPECT_EQ(parse_k("1000"), 1000u);
  EXPECT_EQ(parse_k("007"), 7u);
}

TEST(ParseK, RejectsEverythingElseNamingK) {
  for (const std::string text : {"0", "1001", "abc", "10x", "", "-5", "+5", " 5", "5 ", "1.0",
                                 "99999999999999999999999", "0x10"}) {
    SCOPED_TRACE(text);
    expect_400([&] { parse_k(text); }, "invalid_argument",
               {"k must be an integer in [1, 1000], got \"" + text + "\""});
  }
  expect_400([] { parse_k("\xFF"); }, "invalid_argument", {"k must be an integer"});
}

// ---- caps on lists and strings ----

std::string word_list(std::size_t n) {
  std::string list = "[";
  for (std::size_t i = 0; i < n; ++i) list += (i ? ",\"w" : "\"w") + std::to_string(i) + "\"";
  return list + "]";
}

TEST(Caps, SimilarWordListsAreBounded) {
  const auto ok = parse_similar(json::parse(R"({"positive": )" + word_list(kMaxQueryWords) +
                                            R"(, "negative": )" + word_list(kMaxQueryWords) + "}"));
  EXPECT_EQ(ok.positive.size(), kMaxQueryWords);
  EXPECT_EQ(ok.negative.size(), kMaxQueryWords);
  for (const std::string field : {"positive", "negative"}) {
    SCOPED_TRACE(field);
    expect_400(
        [&] {
          parse_similar(json::parse("{\"" + field + "\": " + word_list(kMaxQueryWords + 1) + "}"));
        },
        "invalid_argument", {field + " may hold at most 100 words, got 101"});
  }
}

TEST(Caps, WordsAreBounded) {
  const std::string long_word(kMaxWordBytes + 1, 'x');
  expect_400(
      [&] {
        parse_similar(json{{"positive", {"a", long_word}}});
      },
      "invalid_argument", {"positive[1] must be at most 4096 bytes, got 4097"});
  expect_400(
      [&] {
        parse_analogy(json{{"a", "a"}, {"b", long_word}, {"c", "c"}});
      },
      "invalid_argument", {"b must be at most 4096 bytes"});
  EXPECT_NO_THROW(check_word("word", std::string(kMaxWordBytes, 'x')));
  expect_400([] { check_word("word", ""); }, "invalid_argument", {"word must be a non-empty"});
}

TEST(Caps, NamesAreBoundedAndHaveNoControlCharacters) {
  const std::string longest(kMaxNameBytes, 'n');
  EXPECT_EQ(parse_create_job(json{{"corpus_id", "c_1"}, {"name", longest}}).name, longest);
  expect_400(
      [&] {
        parse_create_job(json{{"corpus_id", "c_1"}, {"name", longest + "n"}});
      },
      "invalid_argument", {"name must be at most 200 bytes, got 201"});
  expect_400(
      [] {
        parse_model_patch(json{{"name", "two\nlines"}});
      },
      "invalid_argument", {"name must not contain control characters (byte 10 at offset 3)"});
  expect_400(
      [] {
        parse_create_job(json{{"corpus_id", "c_1"}, {"name", "bell\x07"}});
      },
      "invalid_argument", {"name must not contain control characters"});
  expect_400([] { check_name("name", "del\x7f"); }, "invalid_argument", {"control characters"});
  expect_400(
      [] {
        parse_create_job(json{{"corpus_id", std::string(300, 'c')}});
      },
      "invalid_argument", {"corpus_id must be at most 200 bytes"});
  EXPECT_NO_THROW(check_name("name", "caf\xC3\xA9 \xE2\x80\x94 2026"));  // UTF-8 is fine
}

TEST(Caps, QueryParametersAreBounded) {
  std::multimap<std::string, std::string> q;
  for (std::size_t i = 0; i < kMaxQueryParameters; ++i) q.emplace("p" + std::to_string(i), "v");
  EXPECT_NO_THROW(check_query_parameters(q));
  q.emplace("one", "more");
  expect_400([&] { check_query_parameters(q); }, "invalid_argument",
             {"at most 16 parameters, got 17"});
  expect_400(
      [] {
        check_query_parameters({{"word", std::string(kMaxQueryParameterBytes + 1, 'w')}});
      },
      "invalid_argument", {"query parameter \"word\" must be at most 4096 bytes"});
  expect_400(
      [] {
        check_query_parameters({{std::string(5000, 'p'), "v"}});
      },
      "invalid_argument", {"name must be at most 4096 bytes"});
}

TEST(Caps, RestrictIsAnIntegerInRange) {
  EXPECT_EQ(parse_restrict("0"), 0u);
  EXPECT_EQ(parse_restrict("30000"), 30000u);
  for (const std::string text : {"-1", "abc", "", "2000000000", "99999999999999999999"}) {
    SCOPED_TRACE(text);
    expect_400([&] { parse_restrict(text); }, "invalid_argument",
               {"restrict must be an integer in [0, 1073741824]"});
  }
}

}  // namespace
}  // namespace w2v::proto

namespace w2v::proto {
namespace {

// The bodies the client writes parse back to the requests they came from.
TEST(RequestWriters, EachParsesBackToItsRequest) {
  CreateJobRequest job;
  job.corpus_id = "c_1";
  job.name = "news";
  job.params = parse_train_params(nlohmann::json{{"dim", 64}, {"loss", "hs"}});
  job.init_model = "m_2";
  job.vocabulary = VocabularyMode::kKeep;
  job.ranks = 3;
  const CreateJobRequest j2 = parse_create_job(to_json(job));
  EXPECT_EQ(j2.corpus_id, "c_1");
  EXPECT_EQ(j2.name, "news");
  EXPECT_EQ(to_json(j2.params), to_json(job.params));
  EXPECT_EQ(j2.init_model, job.init_model);
  EXPECT_EQ(j2.vocabulary, VocabularyMode::kKeep);
  EXPECT_EQ(j2.ranks, 3);
  // What is left at its default is not written: the server settles it.
  EXPECT_EQ(to_json(CreateJobRequest{"c_1", "", {}, std::nullopt, VocabularyMode::kExtend, 1}),
            (nlohmann::json{{"corpus_id", "c_1"}, {"params", nlohmann::json::object()}}));

  const SimilarRequest s{{"a", "b"}, {"c"}, 7, false};
  const SimilarRequest s2 = parse_similar(to_json(s));
  EXPECT_EQ(s2.positive, s.positive);
  EXPECT_EQ(s2.negative, s.negative);
  EXPECT_EQ(s2.k, 7u);
  EXPECT_EQ(s2.exact, false);

  const AnalogyRequest a{"man", "king", "woman", 3, AnalogyMethod::kMul};
  const AnalogyRequest a2 = parse_analogy(to_json(a));
  EXPECT_EQ(std::tie(a2.a, a2.b, a2.c, a2.k, a2.method), std::tie(a.a, a.b, a.c, a.k, a.method));

  const ModelPatch p{"renamed", SearchMode::kApproximate};
  const ModelPatch p2 = parse_model_patch(to_json(p));
  EXPECT_EQ(p2.name, "renamed");
  EXPECT_EQ(p2.search, SearchMode::kApproximate);
}

}  // namespace
}  // namespace w2v::proto
