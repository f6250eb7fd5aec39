// corpus upload | list | show | rm

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "client/w2vctl/context.h"
#include "client/w2vctl/exit_codes.h"
#include "client/w2vctl/output.h"

namespace w2v::ctl {
namespace {

void print_corpus_details(const proto::CorpusRecord& c) {
  Details d;
  d.add("id", c.id);
  d.add("name", c.name);
  if (c.broken) d.add("BROKEN", *c.broken);
  d.add("size", human_bytes(c.bytes) + " (" + grouped(c.bytes) + " bytes)");
  d.add("tokens", human_count(static_cast<double>(c.tokens)) + " (" + grouped(c.tokens) + ")");
  d.add("sentences", grouped(c.sentences));
  d.add("distinct words", grouped(c.distinct_words));
  d.add("created", c.created_at);
  d.print(stdout);
}

// The name a corpus gets from its file: the file name without ".gz" and ".txt".
std::string name_from_path(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  for (const char* ext : {".gz", ".txt"}) {
    const std::string e = ext;
    if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0) {
      name.resize(name.size() - e.size());
    }
  }
  return name;
}

// A file descriptor read to its end, with the first bytes peeked (to recognise gzip data).
class FdSource {
 public:
  FdSource(int fd, std::string name) : fd_(fd), name_(std::move(name)) {
    // Peek: read until 2 bytes are there or the input ends.
    char buf[2];
    std::size_t got = 0;
    while (got < sizeof buf) {
      const std::size_t n = read_fd(buf + got, sizeof buf - got);
      if (n == 0) break;
      got += n;
    }
    peeked_.assign(buf, got);
  }
  bool gzip_data() const {
    return peeked_.size() == 2 && static_cast<unsigned char>(peeked_[0]) == 0x1f &&
           static_cast<unsigned char>(peeked_[1]) == 0x8b;
  }
  std::size_t read(char* data, std::size_t capacity) {
    if (pos_ < peeked_.size()) {
      const std::size_t n = std::min(capacity, peeked_.size() - pos_);
      std::memcpy(data, peeked_.data() + pos_, n);
      pos_ += n;
      return n;
    }
    return read_fd(data, capacity);
  }

 private:
  std::size_t read_fd(char* data, std::size_t capacity) {
    for (;;) {
      const ssize_t n = ::read(fd_, data, capacity);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno == EINTR) continue;
      throw std::runtime_error("cannot read " + name_ + ": " + std::strerror(errno));
    }
  }
  int fd_;
  std::string name_;
  std::string peeked_;
  std::size_t pos_ = 0;
};

struct UploadOptions {
  std::string file;
  std::string name;
  bool gzip = false;
};

int upload(Context& ctx, const UploadOptions& o) {
  const bool from_stdin = o.file == "-";
  const std::string label = from_stdin ? "standard input" : o.file;
  const std::string name = !o.name.empty() ? o.name : from_stdin ? "" : name_from_path(o.file);
  const bool show_progress = !ctx.quiet && ctx.stderr_tty();

  if (from_stdin && is_tty(stdin) && !ctx.quiet) {
    std::fprintf(stderr, "reading the corpus from the terminal; end it with Ctrl-D\n");
  }
  int fd = STDIN_FILENO;
  std::uint64_t size = 0;
  bool regular = false;
  if (!from_stdin) {
    fd = ::open(o.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open " + o.file + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      throw std::runtime_error("cannot read " + o.file + ": " + std::strerror(err));
    }
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      throw std::runtime_error("cannot upload " + o.file + ": it is a directory");
    }
    regular = S_ISREG(st.st_mode);
    size = regular ? static_cast<std::uint64_t>(st.st_size) : 0;
  }
  struct Closer {
    int fd;
    ~Closer() {
      if (fd != STDIN_FILENO) ::close(fd);
    }
  } closer{fd};

  TransferProgress progress("uploading " + label,
                            show_progress && (size == 0 || size >= kProgressMinBytes));
  proto::CorpusRecord record;
  FdSource source(fd, label);
  if (regular && !source.gzip_data()) {
    // A plain file: sent with its length (compressed on the fly with --gzip).
    ::close(fd);
    closer.fd = STDIN_FILENO;
    record =
        ctx.api().upload_corpus(o.file, name, o.gzip, [&](std::uint64_t done, std::uint64_t total) {
          progress.update(done, o.gzip ? size : total);
        });
  } else {
    // Standard input, a pipe, or gzip data (sent as it is: the server decompresses it).
    const auto encoding = source.gzip_data() ? client::StreamEncoding::kGzipData
                          : o.gzip           ? client::StreamEncoding::kCompress
                                             : client::StreamEncoding::kPlain;
    record = ctx.api().upload_corpus_stream(
        [&](char* data, std::size_t capacity) { return source.read(data, capacity); }, name,
        encoding, [&](std::uint64_t done, std::uint64_t) { progress.update(done, size); });
  }
  progress.finish();

  if (ctx.json) {
    ctx.print_json(proto::to_json(record));
  } else if (ctx.quiet) {
    std::printf("%s\n", record.id.c_str());
  } else {
    std::printf("uploaded %s as corpus %s (%s): %s, %s tokens, %s sentences, %s distinct words\n",
                label.c_str(), record.id.c_str(), record.name.c_str(),
                human_bytes(record.bytes).c_str(),
                human_count(static_cast<double>(record.tokens)).c_str(),
                grouped(record.sentences).c_str(), grouped(record.distinct_words).c_str());
    std::printf("next: w2vctl train --corpus %s --wait\n", record.id.c_str());
  }
  return kExitOk;
}

int list_corpora(Context& ctx) {
  const auto corpora = ctx.api().corpora();
  if (ctx.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : corpora) list.push_back(proto::to_json(c));
    ctx.print_json({{"corpora", list}});
    return kExitOk;
  }
  if (ctx.quiet) {
    for (const auto& c : corpora) std::printf("%s\n", c.id.c_str());
    return kExitOk;
  }
  if (corpora.empty()) {
    std::fprintf(stderr, "no corpora yet; upload one with: w2vctl corpus upload FILE\n");
    return kExitOk;
  }
  Table t({{"ID"},
           {"NAME"},
           {"SIZE", true},
           {"TOKENS", true},
           {"SENTENCES", true},
           {"WORDS", true},
           {"CREATED"}});
  for (const auto& c : corpora) {
    t.add({c.id, c.name, human_bytes(c.bytes), human_count(static_cast<double>(c.tokens)),
           human_count(static_cast<double>(c.sentences)),
           human_count(static_cast<double>(c.distinct_words)), c.created_at});
  }
  t.print(stdout);
  return kExitOk;
}

int show_corpus(Context& ctx, const std::string& id) {
  const auto c = ctx.api().corpus(id);
  if (ctx.json) {
    ctx.print_json(proto::to_json(c));
  } else {
    print_corpus_details(c);
  }
  return kExitOk;
}

int remove_corpora(Context& ctx, const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    ctx.api().delete_corpus(id);
    ctx.say("deleted corpus " + id + "\n");
  }
  return kExitOk;
}

}  // namespace

void add_corpus_commands(CLI::App& app, Context& ctx, Action& action) {
  CLI::App* corpus = app.add_subcommand("corpus", "Upload, list, show and delete corpora");
  corpus->require_subcommand(1);
  corpus->footer(examples({
      "w2vctl corpus upload corpus.txt",
      "w2vctl corpus list",
  }));

  {
    auto o = std::make_shared<UploadOptions>();
    CLI::App* cmd = corpus->add_subcommand(
        "upload",
        "Upload a text corpus: whitespace-separated words, one sentence per line. The file is "
        "streamed, never read whole; gzip files (and gzip data on standard input) are sent as "
        "they are and decompressed by the server");
    cmd->add_option("FILE", o->file, "The text file, or - for standard input")->required();
    cmd->add_option("--name", o->name,
                    "The corpus's name (default: the file name without .gz/.txt; for standard "
                    "input the server names it)");
    cmd->add_flag("--gzip", o->gzip,
                  "Compress while sending (Content-Encoding: gzip): less traffic to a remote "
                  "server");
    cmd->footer(examples({
        "w2vctl corpus upload corpus.txt --name news",
        "w2vctl corpus upload text8.gz",
        "zcat wiki.txt.gz | w2vctl corpus upload - --name wiki",
        "w2vctl corpus upload big.txt --gzip --server http://gpu-box:8080",
        "ID=$(w2vctl -q corpus upload corpus.txt)",
    }));
    cmd->callback([o, &ctx, &action] { action = [o, &ctx] { return upload(ctx, *o); }; });
  }
  {
    CLI::App* cmd = corpus->add_subcommand("list", "List the corpora");
    cmd->alias("ls");
    cmd->footer(examples({"w2vctl corpus list", "w2vctl corpus list --json | jq '.corpora[].id'"}));
    cmd->callback([&ctx, &action] { action = [&ctx] { return list_corpora(ctx); }; });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* cmd = corpus->add_subcommand("show", "Show a corpus's record");
    cmd->add_option("ID", *id, "The corpus's id (c_...)")->required();
    cmd->footer(examples({"w2vctl corpus show c_1a2b3c"}));
    cmd->callback([id, &ctx, &action] { action = [id, &ctx] { return show_corpus(ctx, *id); }; });
  }
  {
    auto ids = std::make_shared<std::vector<std::string>>();
    CLI::App* cmd = corpus->add_subcommand(
        "rm", "Delete corpora (refused with exit code 7 while a queued or running job uses one)");
    cmd->alias("delete");
    cmd->add_option("ID", *ids, "The corpora's ids (c_...)")->required();
    cmd->footer(examples({"w2vctl corpus rm c_1a2b3c"}));
    cmd->callback(
        [ids, &ctx, &action] { action = [ids, &ctx] { return remove_corpora(ctx, *ids); }; });
  }
}

}  // namespace w2v::ctl
