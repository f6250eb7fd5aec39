// w2vctl end to end: the binary run as a subprocess against a real w2vd, checking its tables,
// its --json output (the API's JSON), its exit codes and its messages.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <zlib.h>

#include <atomic>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/base/isa.h"
#include "core/io/vectors_io.h"
#include "e2e/support.h"

extern char** environ;

namespace w2v::testing {
namespace {

using nlohmann::json;

// ---- running w2vctl ----

// A w2vctl process: its standard input fed from a string (then closed), its standard output and
// error collected by a thread as they come.
class Ctl {
 public:
  Ctl(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
      std::string input = "") {
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 ||
        ::pipe2(err, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe failed");
    }
    // The environment: ours without W2VD_*, plus env.
    std::vector<std::string> env_s;
    for (char** e = environ; *e; ++e) {
      if (std::string(*e).rfind("W2VD_", 0) != 0) env_s.emplace_back(*e);
    }
    for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
    std::vector<std::string> argv_s = {W2VCTL_BINARY};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv, envp;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], STDIN_FILENO);
      ::dup2(out[1], STDOUT_FILENO);
      ::dup2(err[1], STDERR_FILENO);
      ::execve(argv[0], argv.data(), envp.data());
      std::_Exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    writer_ = std::thread([fd = in[1], input = std::move(input)] {
      ::signal(SIGPIPE, SIG_IGN);
      for (std::size_t sent = 0; sent < input.size();) {
        const ssize_t n = ::write(fd, input.data() + sent, input.size() - sent);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
      }
      ::close(fd);
    });
    reader_ = std::thread([this, o = out[0], e = err[0]] {
      pollfd fds[2] = {{o, POLLIN, 0}, {e, POLLIN, 0}};
      int open = 2;
      char buf[65536];
      while (open > 0) {
        if (::poll(fds, 2, -1) < 0) continue;
        for (int i = 0; i < 2; ++i) {
          if (fds[i].fd < 0 || fds[i].revents == 0) continue;
          const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
          if (n <= 0) {
            ::close(fds[i].fd);
            fds[i].fd = -1;
            --open;
            continue;
          }
          std::lock_guard lock(mutex_);
          (i == 0 ? out_ : err_).append(buf, static_cast<std::size_t>(n));
        }
      }
    });
  }
  ~Ctl() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  Ctl(const Ctl&) = delete;
  Ctl& operator=(const Ctl&) = delete;

  // Waits for the exit; the exit code (128 + signal when killed).
  int wait() {
    if (pid_ > 0) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      if (writer_.joinable()) writer_.join();
      if (reader_.joinable()) reader_.join();
    }
    return code_;
  }
  void signal(int sig) { ::kill(pid_, sig); }

  std::string out() {
    std::lock_guard lock(mutex_);
    return out_;
  }
  std::string err() {
    std::lock_guard lock(mutex_);
    return err_;
  }
  // Waits until standard error contains text (true) or the time passes (false).
  bool wait_for_err(const std::string& text, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (err().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

 private:
  pid_t pid_ = -1;
  int code_ = -1;
  std::thread writer_, reader_;
  std::mutex mutex_;
  std::string out_, err_;
};

struct Result {
  int code;
  std::string out, err;
};

std::ostream& operator<<(std::ostream& os, const Result& r) {
  return os << "exit " << r.code << "\n--- stdout:\n" << r.out << "--- stderr:\n" << r.err;
}

Result run(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
           std::string input = "") {
  Ctl c(args, env, std::move(input));
  const int code = c.wait();
  return {code, c.out(), c.err()};
}

// A daemon and w2vctl pointed at it through W2VD_URL.
struct Fixture {
  Daemon d;
  explicit Fixture(std::vector<std::string> args = {}, const std::string& token = "")
      : d(std::move(args), token) {}
  std::map<std::string, std::string> env() const { return {{"W2VD_URL", d.server.url()}}; }
  Result ctl(const std::vector<std::string>& args, std::string input = "") const {
    return run(args, env(), std::move(input));
  }
  // GET target's JSON straight from the API (to compare with w2vctl --json).
  json api_json(const std::string& target) {
    const auto r = d.api.http().request("GET", target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return json::parse(r.body);
  }
};

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string first_match(const std::string& s, const std::string& re) {
  std::smatch m;
  if (!std::regex_search(s, m, std::regex(re))) return "";
  return m[1].str();
}

json parse_json(const Result& r) {
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r;
  return j;
}

// The planted corpus's training flags (planted_job_params() as w2vctl flags).
std::vector<std::string> planted_train(const std::string& corpus, int epochs = 5) {
  return {"train",
          "--corpus",
          corpus,
          "--dim",
          "40",
          "--min-count",
          "1",
          "--sample",
          "1e-3",
          "--epochs",
          std::to_string(epochs),
          "--seed",
          "11",
          "--threads",
          "2"};
}

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::string gzip(const std::string& text) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, text.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// A port nothing listens on.
std::uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool bound = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  if (fd >= 0) ::close(fd);
  if (!bound || addr.sin_port == 0) throw std::runtime_error("closed_port: no loopback port");
  return ntohs(addr.sin_port);
}

// ---- tests ----

TEST(W2vctl, HelpShowsCommandsExamplesAndExitCodes) {
  const auto top = run({"--help"}, {});
  EXPECT_EQ(top.code, 0) << top;
  for (const char* part : {"corpus", "train", "jobs", "models", "similar", "analogy", "similarity",
                           "vector", "evaluate", "health", "--server", "--token", "--json",
                           "--timeout", "--quiet", "Exit codes:", "W2VD_URL"}) {
    EXPECT_TRUE(contains(top.out, part)) << part << "\n" << top;
  }
  const auto train = run({"train", "--help"}, {});
  EXPECT_EQ(train.code, 0);
  for (const char* part : {"Examples:", "--min-count", "--max-vocab", "--wait",
                           "--cancel-on-interrupt", "--kernel", "--seed"}) {
    EXPECT_TRUE(contains(train.out, part)) << part << "\n" << train;
  }
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"corpus", "upload", "--help"},
        {"jobs", "watch", "--help"},
        {"models", "export", "--help"},
        {"similar", "--help"},
        {"evaluate", "--help"}}) {
    const auto r = run(cmd, {});
    EXPECT_EQ(r.code, 0) << r;
    EXPECT_TRUE(contains(r.out, "Examples:")) << r;
  }
  const auto bare = run({}, {});
  EXPECT_EQ(bare.code, 0);
  EXPECT_TRUE(contains(bare.out, "Usage"));
}

TEST(W2vctl, UsageErrorsExit2) {
  EXPECT_EQ(run({"bogus"}, {}).code, 2);
  EXPECT_EQ(run({"corpus"}, {}).code, 2);                                    // no subcommand
  EXPECT_EQ(run({"train"}, {}).code, 2);                                     // --corpus missing
  EXPECT_EQ(run({"train", "--corpus", "c_x", "--dim", "abc"}, {}).code, 2);  // not a number
  EXPECT_EQ(run({"train", "--corpus", "c_x", "--model", "glove"}, {}).code, 2);
  EXPECT_EQ(run({"train", "--corpus", "c_x", "--shrink-windows", "no"}, {}).code, 2);
  EXPECT_EQ(run({"train", "--corpus", "c_x", "--maxn", "six"}, {}).code, 2);
  EXPECT_EQ(run({"similar", "m_x"}, {}).code, 2);  // no word
  EXPECT_EQ(run({"evaluate", "m_x"}, {}).code, 2);
  const auto url = run({"--server", "ftp://nowhere", "health"}, {});
  EXPECT_EQ(url.code, 2) << url;
  EXPECT_TRUE(contains(url.err, "invalid server URL")) << url;
}

TEST(W2vctl, ConnectionRefusedExits5WithAHintAboutServer) {
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port());
  for (const auto& r :
       {run({"--server", url, "health"}, {}), run({"corpus", "list"}, {{"W2VD_URL", url}})}) {
    EXPECT_EQ(r.code, 5) << r;
    EXPECT_TRUE(contains(r.err, "cannot connect to " + url)) << r;
    EXPECT_TRUE(contains(r.err, "--server")) << r;
    EXPECT_TRUE(r.out.empty()) << r;
  }
}

TEST(W2vctl, FindsTheTokenAW2vdGeneratedThroughItsTokenFile) {
  // Listening beyond loopback without --token, w2vd makes its own (the container image's case,
  // where W2VD_TOKEN_FILE points at it).
  const Fixture f({"--bind", "0.0.0.0"});
  const std::string file = f.d.server.data_dir() + "/token";
  const Result refused = f.ctl({"models", "list"});
  EXPECT_NE(refused.code, 0) << refused;
  EXPECT_NE(refused.err.find("401"), std::string::npos) << refused;
  auto env = f.env();
  env["W2VD_TOKEN_FILE"] = file;
  const Result listed = run({"models", "list"}, env);
  EXPECT_EQ(listed.code, 0) << listed;
  env["W2VD_TOKEN"] = "a-wrong-one";  // W2VD_TOKEN wins
  EXPECT_NE(run({"models", "list"}, env).code, 0);
}

TEST(W2vctl, UploadTrainQueryExportImportInBothOutputModes) {
  Fixture f;
  const std::string corpus_file = f.d.corpus_file();
  const auto& group = planted().topic_groups[3];
  const std::set<std::string> members(group.begin(), group.end());

  // health
  const auto health = f.ctl({"health"});
  EXPECT_EQ(health.code, 0) << health;
  EXPECT_TRUE(contains(health.out, "ok"));
  // The daemon runs the best kernels this CPU has, unless W2VD_ISA (inherited) chose others.
  const char* forced = std::getenv("W2VD_ISA");
  const std::string isa = forced != nullptr && *forced != '\0' ? std::string(forced)
                                                               : std::string(to_string(best_isa()));
  EXPECT_TRUE(contains(health.out, "(kernels: " + isa + ")")) << health;
  EXPECT_EQ(parse_json(f.ctl({"health", "--json"})), json({{"status", "ok"}, {"isa", isa}}));

  // corpus upload: a sentence for people, the record with --json, the id alone with -q.
  const auto up = f.ctl({"corpus", "upload", corpus_file, "--name", "planted"});
  ASSERT_EQ(up.code, 0) << up;
  const std::string corpus = first_match(up.out, "corpus (c_[A-Za-z0-9_-]+)");
  ASSERT_FALSE(corpus.empty()) << up;
  EXPECT_TRUE(contains(up.out, "planted")) << up;
  const auto up_json = f.ctl({"--json", "corpus", "upload", corpus_file});
  ASSERT_EQ(up_json.code, 0) << up_json;
  const json record = parse_json(up_json);
  EXPECT_EQ(record.at("tokens").get<std::size_t>(), planted().tokens);
  EXPECT_EQ(record.at("name"), "planted");  // from the file name, without .txt
  const auto up_quiet = f.ctl({"-q", "corpus", "upload", corpus_file});
  ASSERT_EQ(up_quiet.code, 0) << up_quiet;
  EXPECT_TRUE(std::regex_match(up_quiet.out, std::regex("c_[A-Za-z0-9_-]+\n"))) << up_quiet;

  // corpus list: an aligned table; --json is the API's JSON.
  const auto list = f.ctl({"corpus", "list"});
  ASSERT_EQ(list.code, 0) << list;
  const auto rows = lines_of(list.out);
  ASSERT_EQ(rows.size(), 4u) << list;
  EXPECT_EQ(rows[0].rfind("ID", 0), 0u) << list;
  const auto name_col = rows[0].find("NAME");
  const auto tokens_end = rows[0].find("TOKENS") + 6;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].rfind("c_", 0), 0u) << list;
    EXPECT_EQ(rows[i].substr(name_col, 7), "planted") << list;
    EXPECT_NE(rows[i][tokens_end - 1], ' ') << list;  // numbers right-aligned
    EXPECT_EQ(rows[i][tokens_end], ' ') << list;
  }
  EXPECT_EQ(parse_json(f.ctl({"corpus", "list", "--json"})), f.api_json("/v1/corpora"));
  EXPECT_EQ(parse_json(f.ctl({"--json", "corpus", "show", corpus})),
            f.api_json("/v1/corpora/" + corpus));
  const auto show = f.ctl({"corpus", "show", corpus});
  EXPECT_EQ(show.code, 0);
  EXPECT_TRUE(std::regex_search(show.out, std::regex("tokens: +[0-9.]+[kMG]? \\([0-9,]+\\)")))
      << show;

  // train --wait: progress lines on stderr (not a terminal), the model on stdout.
  const auto trained =
      f.ctl(planted_train(corpus) + std::vector<std::string>{"--name", "planted-model", "--wait"});
  ASSERT_EQ(trained.code, 0) << trained << f.d.server.log();
  const std::string model = first_match(trained.out, "model (m_[A-Za-z0-9_-]+)");
  ASSERT_FALSE(model.empty()) << trained;
  const std::string job = first_match(trained.err, "(j_[A-Za-z0-9_-]+)");
  ASSERT_FALSE(job.empty()) << trained;
  EXPECT_TRUE(contains(trained.out, "succeeded")) << trained;
  EXPECT_TRUE(contains(trained.out, "evaluation")) << trained;
  EXPECT_TRUE(contains(trained.err, job + "  succeeded  100.0%  epoch 5/5")) << trained;
  EXPECT_FALSE(contains(trained.err, "\r")) << "no bar when not on a terminal";

  // --json train --wait: the final job record, nothing else on stdout.
  const auto trained_json =
      f.ctl(planted_train(corpus, 1) +
            std::vector<std::string>{"--shrink-windows", "false", "--wait", "--json"});
  ASSERT_EQ(trained_json.code, 0) << trained_json;
  const json final_job = parse_json(trained_json);
  EXPECT_EQ(final_job.at("status"), "succeeded");
  EXPECT_EQ(final_job.at("params").at("dim"), 40);
  EXPECT_EQ(final_job.at("params").at("window"), 5);              // the server's default
  EXPECT_EQ(final_job.at("params").at("shrink_windows"), false);  // and a full window
  EXPECT_EQ(final_job, f.api_json("/v1/jobs/" + final_job.at("id").get<std::string>()));

  // -q train --wait: the model id alone. With subwords: the model's record shows them.
  const auto trained_quiet =
      f.ctl(std::vector<std::string>{"-q"} + planted_train(corpus, 1) +
            std::vector<std::string>{"--minn", "2", "--maxn", "4", "--bucket", "5000", "--wait"});
  ASSERT_EQ(trained_quiet.code, 0) << trained_quiet;
  EXPECT_TRUE(std::regex_match(trained_quiet.out, std::regex("m_[A-Za-z0-9_-]+\n")))
      << trained_quiet;
  EXPECT_TRUE(trained_quiet.err.empty()) << trained_quiet;
  const json subword_model =
      f.api_json("/v1/models/" + trained_quiet.out.substr(0, trained_quiet.out.size() - 1));
  EXPECT_EQ(subword_model.at("params").at("minn"), 2);
  EXPECT_EQ(subword_model.at("params").at("maxn"), 4);
  EXPECT_EQ(subword_model.at("params").at("bucket"), 5000);
  EXPECT_EQ(final_job.at("params").at("maxn"), 0);  // off unless asked for

  // Jobs and models lists and records.
  const auto jobs = f.ctl({"jobs", "list"});
  EXPECT_EQ(jobs.code, 0);
  EXPECT_TRUE(std::regex_search(
      jobs.out, std::regex(job + " +succeeded +" + corpus + " +100% \\(5/5\\) +" + model)))
      << jobs;
  EXPECT_EQ(parse_json(f.ctl({"jobs", "list", "--json"})), f.api_json("/v1/jobs"));
  const auto job_show = f.ctl({"jobs", "show", job});
  EXPECT_TRUE(std::regex_search(job_show.out, std::regex("status: +succeeded"))) << job_show;
  EXPECT_TRUE(contains(job_show.out, "skipgram/ns dim 40")) << job_show;
  const auto model_show = f.ctl({"models", "show", model});
  EXPECT_TRUE(std::regex_search(model_show.out, std::regex("name: +planted-model"))) << model_show;
  EXPECT_EQ(parse_json(f.ctl({"models", "show", model, "--json"})),
            f.api_json("/v1/models/" + model));

  // similar: a ranked table; --json is the API's answer.
  const auto similar = f.ctl({"similar", model, group[0], "-k", "5"});
  ASSERT_EQ(similar.code, 0) << similar;
  const auto similar_rows = lines_of(similar.out);
  ASSERT_EQ(similar_rows.size(), 6u) << similar;
  EXPECT_TRUE(std::regex_search(similar_rows[0], std::regex("^#  WORD +SCORE$"))) << similar;
  for (std::size_t i = 1; i < similar_rows.size(); ++i) {
    std::istringstream row(similar_rows[i]);
    std::string rank, word;
    double score = 0;
    row >> rank >> word >> score;
    EXPECT_EQ(rank, std::to_string(i));
    EXPECT_TRUE(members.count(word)) << word << "\n" << similar;
    EXPECT_GT(score, 0.3);
  }
  const json similar_json = parse_json(f.ctl({"--json", "similar", model, group[0], "-k", "5"}));
  EXPECT_EQ(similar_json, f.api_json("/v1/models/" + model + "/similar?word=" + group[0] + "&k=5"));
  // The model's default search, and --approximate / --exact per query: the first approximate
  // query asks for the index, answered exactly while it builds.
  EXPECT_EQ(f.ctl({"--json", "similar", model, group[0], "--approximate"}).code, 0);
  EXPECT_EQ(wait_for_index(f.d.api, model).state, proto::IndexState::kReady);
  EXPECT_EQ(parse_json(f.ctl({"--json", "similar", model, group[0], "--approximate"}))["search"],
            "approximate");
  const auto set = f.ctl({"models", "set", model, "--search", "approximate"});
  ASSERT_EQ(set.code, 0) << set;
  EXPECT_NE(set.out.find("search approximate"), std::string::npos) << set;
  EXPECT_EQ(parse_json(f.ctl({"--json", "similar", model, group[0]}))["search"], "approximate");
  EXPECT_EQ(parse_json(f.ctl({"--json", "similar", model, group[0], "--exact"}))["search"],
            "exact");
  EXPECT_EQ(f.ctl({"models", "set", model}).code, 2);  // nothing to change
  EXPECT_EQ(f.ctl({"models", "set", model, "--search", "fast"}).code, 2);
  EXPECT_EQ(f.ctl({"similar", model, group[0], "--exact", "--approximate"}).code, 2);
  ASSERT_EQ(f.ctl({"models", "set", model, "--search", "exact"}).code, 0);
  const auto combined = f.ctl({"similar", model, group[0], group[1], "--negative", group[2]});
  EXPECT_EQ(combined.code, 0) << combined;
  EXPECT_EQ(lines_of(combined.out).size(), 11u) << combined;  // k defaults to 10

  // analogy, similarity, vector.
  const auto& a = planted().analogies.front();
  const auto analogy = f.ctl({"analogy", model, a.a, a.b, a.c, "-k", "3", "-q"});
  ASSERT_EQ(analogy.code, 0) << analogy;
  EXPECT_EQ(lines_of(analogy.out).at(0), a.d) << analogy;
  const auto sim = f.ctl({"similarity", model, group[0], group[1]});
  ASSERT_EQ(sim.code, 0) << sim;
  EXPECT_GT(std::stod(sim.out), 0.5) << sim;
  EXPECT_GT(parse_json(f.ctl({"similarity", model, group[0], group[1], "--json"}))
                .at("similarity")
                .get<double>(),
            0.5);
  const auto vec = f.ctl({"vector", model, group[0]});
  ASSERT_EQ(vec.code, 0) << vec;
  std::istringstream vec_line(vec.out);
  std::string word;
  vec_line >> word;
  EXPECT_EQ(word, group[0]);
  std::vector<float> values;
  for (float x; vec_line >> x;) values.push_back(x);
  EXPECT_EQ(values.size(), 40u) << vec;
  EXPECT_EQ(parse_json(f.ctl({"vector", model, group[0], "--json"})),
            f.api_json("/v1/models/" + model + "/words/" + group[0]));
  // Several words: one batch request; the vectors of known words, the unknown ones named on
  // standard error with exit 4.
  const auto several = f.ctl({"vector", model, group[0], group[1]});
  ASSERT_EQ(several.code, 0) << several;
  ASSERT_EQ(lines_of(several.out).size(), 2u) << several;
  EXPECT_EQ(lines_of(several.out)[0], lines_of(vec.out)[0]);
  const auto missing = f.ctl({"vector", model, group[1], "nosuchword"});
  EXPECT_EQ(missing.code, 4) << missing;
  EXPECT_EQ(lines_of(missing.out).size(), 1u) << missing;
  EXPECT_TRUE(contains(missing.err, "not in model " + model + ": nosuchword")) << missing;
  const json batch = parse_json(f.ctl({"vector", model, group[0], "nosuchword", "--json"}));
  EXPECT_EQ(batch["results"][0]["vector"],
            f.api_json("/v1/models/" + model + "/words/" + group[0])["vector"]);
  EXPECT_EQ(batch["results"][1]["found"], false);

  // export -> import round trip.
  const std::string bin = f.d.dir.path() + "/export.bin";
  const auto exported = f.ctl({"models", "export", model, "-o", bin});
  ASSERT_EQ(exported.code, 0) << exported;
  EXPECT_TRUE(contains(exported.out, bin)) << exported;
  const auto from_bin = load_vectors_file(bin, VectorsFormat::kBinary);
  EXPECT_EQ(from_bin.vectors.cols(), 40);
  const auto text = f.ctl({"models", "export", model, "--format", "text", "-o", "-"});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_EQ(text.out.rfind(std::to_string(from_bin.words.size()) + " 40\n", 0), 0u);
  EXPECT_EQ(lines_of(text.out).size(), from_bin.words.size() + 1);
  const auto imported = f.ctl({"models", "import", bin, "--name", "copy"});
  ASSERT_EQ(imported.code, 0) << imported;
  const std::string copy = first_match(imported.out, "model (m_[A-Za-z0-9_-]+)");
  ASSERT_FALSE(copy.empty()) << imported;
  EXPECT_TRUE(contains(imported.out, "(binary)")) << imported;  // detected from .bin
  const json copy_json = parse_json(f.ctl({"--json", "models", "show", copy}));
  EXPECT_EQ(copy_json.at("source"), "imported");
  EXPECT_EQ(copy_json.at("vocab_size").get<std::size_t>(), from_bin.words.size());
  EXPECT_EQ(parse_json(f.ctl({"--json", "similar", copy, group[0], "-k", "5"})), similar_json);
  // Text vectors, format detected from the content.
  const std::string vec_file = write_file(f.d.dir.path() + "/vectors", text.out);
  const auto imported_text = f.ctl({"-q", "models", "import", vec_file});
  ASSERT_EQ(imported_text.code, 0) << imported_text;
  const std::string copy2 = lines_of(imported_text.out).at(0);
  EXPECT_EQ(parse_json(f.ctl({"--json", "similar", copy2, group[0], "-k", "5"})), similar_json);
  // fastText's .bin, its format detected from its first bytes (it ends in .bin too).
  const std::string ft = f.d.dir.path() + "/model.bin";
  ASSERT_EQ(f.ctl({"-q", "models", "export", model, "--format", "fasttext", "-o", ft}).code, 0);
  const auto imported_ft = f.ctl({"models", "import", ft, "--name", "ft-copy"});
  ASSERT_EQ(imported_ft.code, 0) << imported_ft;
  EXPECT_TRUE(contains(imported_ft.out, "(fasttext)")) << imported_ft;
  const std::string copy3 = first_match(imported_ft.out, "model (m_[A-Za-z0-9_-]+)");
  EXPECT_EQ(parse_json(f.ctl({"--json", "similar", copy3, group[0], "-k", "5"})), similar_json);

  const auto models = f.ctl({"models", "list"});
  EXPECT_TRUE(contains(models.out, model) && contains(models.out, copy)) << models;
  EXPECT_TRUE(std::regex_search(models.out, std::regex(copy + " +copy +[0-9.]+k? +40 +imported")))
      << models;
  EXPECT_TRUE(contains(models.out, "job " + job)) << models;

  // evaluate
  std::string questions = ": planted\n";
  for (const auto& q : planted().analogies)
    questions += q.a + " " + q.b + " " + q.c + " " + q.d + "\n";
  const std::string qfile = write_file(f.d.dir.path() + "/q.txt", questions);
  const auto eval = f.ctl({"evaluate", model, "--analogies", qfile});
  ASSERT_EQ(eval.code, 0) << eval;
  EXPECT_TRUE(std::regex_search(eval.out, std::regex("accuracy: +[0-9.]+%"))) << eval;
  EXPECT_TRUE(contains(eval.out, "planted")) << eval;  // the section table
  const json scores = parse_json(f.ctl({"evaluate", model, "--analogies", qfile, "--json"}));
  EXPECT_GE(scores.at("accuracy").get<double>(), 0.8);

  // rm
  const auto rm = f.ctl({"models", "rm", copy});
  EXPECT_EQ(rm.code, 0) << rm;
  EXPECT_TRUE(contains(rm.out, "deleted model " + copy));
  EXPECT_EQ(f.ctl({"models", "show", copy}).code, 4);
}

TEST(W2vctl, UploadsFromStandardInputPlainCompressedAndGzipData) {
  Fixture f;
  const std::string& text = planted().text;
  const auto plain = f.ctl({"--json", "corpus", "upload", "-", "--name", "stdin"}, text);
  ASSERT_EQ(plain.code, 0) << plain;
  EXPECT_EQ(parse_json(plain).at("tokens").get<std::size_t>(), planted().tokens);
  EXPECT_EQ(parse_json(plain).at("bytes").get<std::size_t>(), text.size());
  EXPECT_EQ(parse_json(plain).at("name"), "stdin");

  const auto compressed = f.ctl({"--json", "corpus", "upload", "-", "--gzip"}, text);
  ASSERT_EQ(compressed.code, 0) << compressed;
  EXPECT_EQ(parse_json(compressed).at("bytes").get<std::size_t>(), text.size());

  const std::string gz = gzip(text);
  const auto gz_stdin = f.ctl({"--json", "corpus", "upload", "-"}, gz);
  ASSERT_EQ(gz_stdin.code, 0) << gz_stdin;
  EXPECT_EQ(parse_json(gz_stdin).at("bytes").get<std::size_t>(), text.size());
  EXPECT_EQ(parse_json(gz_stdin).at("tokens").get<std::size_t>(), planted().tokens);

  const std::string gz_file = write_file(f.d.dir.path() + "/planted.txt.gz", gz);
  const auto gz_path = f.ctl({"--json", "corpus", "upload", gz_file});
  ASSERT_EQ(gz_path.code, 0) << gz_path;
  EXPECT_EQ(parse_json(gz_path).at("bytes").get<std::size_t>(), text.size());
  EXPECT_EQ(parse_json(gz_path).at("name"), "planted");

  const auto compressed_file = f.ctl({"--json", "corpus", "upload", f.d.corpus_file(), "--gzip"});
  ASSERT_EQ(compressed_file.code, 0) << compressed_file;
  EXPECT_EQ(parse_json(compressed_file).at("bytes").get<std::size_t>(), text.size());

  const auto missing = f.ctl({"corpus", "upload", f.d.dir.path() + "/nope.txt"});
  EXPECT_EQ(missing.code, 1) << missing;
  EXPECT_TRUE(contains(missing.err, "cannot open")) << missing;
}

TEST(W2vctl, ApiErrorsExitWithTheirCodesAndTheServersMessage) {
  Fixture f;
  const auto unknown_model = f.ctl({"similar", "m_nope", "word"});
  EXPECT_EQ(unknown_model.code, 4) << unknown_model;
  EXPECT_TRUE(contains(unknown_model.err, "no model m_nope")) << unknown_model;
  EXPECT_TRUE(unknown_model.out.empty());
  EXPECT_EQ(f.ctl({"--json", "models", "show", "m_nope"}).code, 4);
  EXPECT_EQ(f.ctl({"corpus", "show", "c_nope"}).code, 4);
  EXPECT_EQ(f.ctl({"jobs", "watch", "j_nope"}).code, 4);

  // A tiny imported model for word errors.
  const std::string tiny =
      write_file(f.d.dir.path() + "/tiny.txt", "3 2\ncat 1 0\ndog 0.9 0.1\nfish 0 1\n");
  const auto imported = f.ctl({"-q", "models", "import", tiny});
  ASSERT_EQ(imported.code, 0) << imported;
  const std::string model = lines_of(imported.out).at(0);
  const auto unknown_word = f.ctl({"similarity", model, "cat", "zebra"});
  EXPECT_EQ(unknown_word.code, 4) << unknown_word;
  EXPECT_TRUE(contains(unknown_word.err, "zebra")) << unknown_word;
  EXPECT_EQ(f.ctl({"similar", model, "cat", "-k", "0"}).code, 8);

  const auto corpus_up = f.ctl({"-q", "corpus", "upload", f.d.corpus_file()});
  ASSERT_EQ(corpus_up.code, 0) << corpus_up;
  const std::string corpus = lines_of(corpus_up.out).at(0);
  const auto bad_param = f.ctl({"train", "--corpus", corpus, "--dim", "0"});
  EXPECT_EQ(bad_param.code, 8) << bad_param;
  EXPECT_TRUE(contains(bad_param.err, "params.dim must be an integer in [1, 4096], got 0"))
      << bad_param;
  EXPECT_EQ(f.ctl({"train", "--corpus", "c_nope"}).code, 4);
  // --ranks reaches the server, which has no MPI launcher.
  const auto ranks = f.ctl({"train", "--corpus", corpus, "--ranks", "2"});
  EXPECT_EQ(ranks.code, 8) << ranks;
  EXPECT_TRUE(contains(ranks.err, "ranks: this server has no --mpi-launcher")) << ranks;
  EXPECT_EQ(f.ctl({"train", "--corpus", corpus, "--ranks", "0"}).code, 2);  // usage
}

TEST(W2vctl, ConflictInterruptAndCancelledJob) {
  Fixture f;
  const auto corpus_up = f.ctl({"-q", "corpus", "upload", f.d.corpus_file()});
  ASSERT_EQ(corpus_up.code, 0) << corpus_up;
  const std::string corpus = lines_of(corpus_up.out).at(0);
  // A job long enough to outlive the test (cancelled at the end).
  const auto submitted = f.ctl({"train", "--corpus", corpus, "--epochs", "1000", "--threads", "1",
                                "--min-count", "1", "--dim", "20"});
  ASSERT_EQ(submitted.code, 0) << submitted;
  const std::string job = first_match(submitted.out, "job (j_[A-Za-z0-9_-]+)");
  ASSERT_FALSE(job.empty()) << submitted;
  EXPECT_TRUE(contains(submitted.out, "w2vctl jobs watch " + job)) << submitted;

  const auto in_use = f.ctl({"corpus", "rm", corpus});
  EXPECT_EQ(in_use.code, 7) << in_use;
  EXPECT_TRUE(contains(in_use.err, "409")) << in_use;

  // Ctrl-C while watching: the job keeps running, and w2vctl says how to follow it again.
  {
    Ctl watch({"jobs", "watch", job}, f.env());
    ASSERT_TRUE(watch.wait_for_err(job + "  ", std::chrono::seconds(30))) << watch.err();
    watch.signal(SIGINT);
    EXPECT_EQ(watch.wait(), 130) << watch.err();
    EXPECT_TRUE(contains(watch.err(), "job " + job + " is still running")) << watch.err();
    EXPECT_TRUE(contains(watch.err(), "w2vctl jobs watch " + job)) << watch.err();
  }
  const auto still = f.d.api.job(job);
  EXPECT_FALSE(proto::is_terminal(still.status));

  // With --cancel-on-interrupt, Ctrl-C cancels it.
  {
    Ctl watch({"jobs", "watch", job, "--cancel-on-interrupt"}, f.env());
    ASSERT_TRUE(watch.wait_for_err(job + "  ", std::chrono::seconds(30))) << watch.err();
    watch.signal(SIGINT);
    EXPECT_EQ(watch.wait(), 130) << watch.err();
    EXPECT_TRUE(contains(watch.err(), "cancelled job " + job)) << watch.err();
  }
  const auto done = f.d.api.watch_job(job, [](const proto::JobRecord&) { return true; });
  EXPECT_EQ(done.status, proto::JobStatus::kCancelled);

  // Watching a cancelled job: exit 6; its record still comes out with --json.
  const auto watched = f.ctl({"jobs", "watch", job});
  EXPECT_EQ(watched.code, 6) << watched;
  EXPECT_TRUE(contains(watched.err, "job " + job + " was cancelled")) << watched;
  const auto watched_json = f.ctl({"jobs", "watch", job, "--json"});
  EXPECT_EQ(watched_json.code, 6) << watched_json;
  EXPECT_EQ(parse_json(watched_json).at("status"), "cancelled");
  EXPECT_EQ(f.ctl({"jobs", "cancel", job}).code, 7);  // already finished
  EXPECT_EQ(f.ctl({"corpus", "rm", corpus}).code, 0);
}

TEST(W2vctl, TokenRequiredExits3AndTheTokenComesFromFlagOrEnvironment) {
  Fixture f({"--token", "s3cret", "--max-upload-bytes", "100000"}, "s3cret");
  const auto none = f.ctl({"corpus", "list"});
  EXPECT_EQ(none.code, 3) << none;
  EXPECT_TRUE(contains(none.err, "--token")) << none;
  EXPECT_EQ(f.ctl({"--token", "wrong", "corpus", "list"}).code, 3);
  EXPECT_EQ(f.ctl({"--token", "s3cret", "corpus", "list"}).code, 0);
  auto env = f.env();
  env["W2VD_TOKEN"] = "s3cret";
  EXPECT_EQ(run({"corpus", "list", "--json"}, env).code, 0);
  EXPECT_EQ(run({"health"}, env).code, 0);

  // Too large for this server: 413 -> 8.
  const std::string big = write_file(f.d.dir.path() + "/big.txt", std::string(300000, 'x'));
  const auto too_big = run({"corpus", "upload", big}, env);
  EXPECT_EQ(too_big.code, 8) << too_big;
}

TEST(W2vctl, TrainFromModelAndShowTheLineage) {
  Fixture f;
  const auto up = f.ctl({"-q", "corpus", "upload", f.d.corpus_file()});
  ASSERT_EQ(up.code, 0) << up;
  const std::string corpus = lines_of(up.out).at(0);
  const auto a = f.ctl(std::vector<std::string>{"-q"} + planted_train(corpus, 1) +
                       std::vector<std::string>{"--wait"});
  ASSERT_EQ(a.code, 0) << a << f.d.server.log();
  const std::string model_a = lines_of(a.out).at(0);
  const auto b = f.ctl(std::vector<std::string>{"-q"} + planted_train(corpus, 1) +
                       std::vector<std::string>{"--from-model", model_a, "--wait"});
  ASSERT_EQ(b.code, 0) << b << f.d.server.log();
  const std::string model_b = lines_of(b.out).at(0);
  const auto c = f.ctl({"-q", "train", "--corpus", corpus, "--epochs", "1", "--from-model", model_b,
                        "--vocabulary", "keep", "--wait"});
  ASSERT_EQ(c.code, 0) << c << f.d.server.log();
  const std::string model_c = lines_of(c.out).at(0);

  const auto show = f.ctl({"models", "show", model_c});
  ASSERT_EQ(show.code, 0) << show;
  const std::string job_b = *f.d.api.model(model_b).job_id;
  const std::string job_a = *f.d.api.model(model_a).job_id;
  EXPECT_TRUE(
      contains(show.out, model_b + " (job " + job_b + ") <- " + model_a + " (job " + job_a + ")"))
      << show;
  EXPECT_TRUE(std::regex_search(show.out, std::regex("weights: +full"))) << show;
  EXPECT_EQ(parse_json(f.ctl({"--json", "models", "show", model_c})),
            f.api_json("/v1/models/" + model_c));
  const auto job = f.ctl({"jobs", "show", *f.d.api.model(model_c).job_id});
  EXPECT_TRUE(contains(job.out, model_b + " (vocabulary keep)")) << job;

  // A conflicting parameter is the server's 400 (exit 8) naming the field; --vocabulary takes
  // only extend or keep (a usage error, exit 2).
  const auto conflict =
      f.ctl({"train", "--corpus", corpus, "--from-model", model_a, "--loss", "hs"});
  EXPECT_EQ(conflict.code, 8) << conflict;
  EXPECT_TRUE(contains(conflict.err, "params.loss")) << conflict;
  const auto bad =
      f.ctl({"train", "--corpus", corpus, "--from-model", model_a, "--vocabulary", "grow"});
  EXPECT_EQ(bad.code, 2) << bad;
}

}  // namespace
}  // namespace w2v::testing
