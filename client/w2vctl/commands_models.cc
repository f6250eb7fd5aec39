// models list | show | rm | export | import

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "client/w2vctl/context.h"
#include "client/w2vctl/exit_codes.h"
#include "client/w2vctl/output.h"
#include "core/base/ascii.h"
#include "proto/requests.h"

namespace w2v::ctl {
namespace {

std::string extension_of(const std::string& format) {
  return format == "text" ? ".txt" : format == "fasttext" ? ".fasttext.bin" : ".bin";
}

// Whether the file starts as fastText's model files do (its magic number, little-endian).
bool is_fasttext_model(const std::string& path) {
  static constexpr unsigned char kMagic[] = {0xBA, 0x16, 0x4F, 0x2F};  // 793712314
  std::ifstream in(path, std::ios::binary);
  unsigned char head[sizeof kMagic] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  return in.gcount() == sizeof head && std::equal(head, head + sizeof head, kMagic);
}

// The format of a model file: fastText's by its first bytes; else word2vec's by its extension
// (.txt, .vec, .text: text; .bin: binary), else by its content (text vectors have no control
// bytes after the header line).
std::string detect_format(const std::string& path) {
  if (is_fasttext_model(path)) return "fasttext";
  const std::string ext = ascii_lower(std::filesystem::path(path).extension().string());
  if (ext == ".txt" || ext == ".vec" || ext == ".text") return "text";
  if (ext == ".bin") return "binary";
  std::ifstream in(path, std::ios::binary);
  std::string header;
  std::getline(in, header);
  char buf[65536];
  in.read(buf, sizeof buf);
  const std::streamsize n = in.gcount();
  for (std::streamsize i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(buf[i]);
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return "binary";
  }
  return n > 0 ? "text" : "binary";
}

int list_models(Context& ctx) {
  const auto models = ctx.api().models();
  if (ctx.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& m : models) list.push_back(proto::to_json(m));
    ctx.print_json({{"models", list}});
    return kExitOk;
  }
  if (ctx.quiet) {
    for (const auto& m : models) std::printf("%s\n", m.id.c_str());
    return kExitOk;
  }
  if (models.empty()) {
    std::fprintf(stderr,
                 "no models yet; train one with: w2vctl train --corpus ID --wait, or import "
                 "one with: w2vctl models import FILE\n");
    return kExitOk;
  }
  Table t({{"ID"}, {"NAME"}, {"WORDS", true}, {"DIM", true}, {"SOURCE"}, {"CREATED"}});
  for (const auto& m : models) {
    const std::string source = m.source == proto::ModelSource::kTrained && m.job_id
                                   ? "job " + *m.job_id
                                   : std::string(name_of(proto::kModelSourceNames, m.source));
    t.add({m.id, m.name, human_count(static_cast<double>(m.vocab_size)), std::to_string(m.dim),
           source, m.created_at});
  }
  t.print(stdout);
  return kExitOk;
}

// The models m was continued from, nearest first: "m_b (job j_...)", ..., "m_a (imported)",
// "m_0 (deleted)". Bounded, in case a server ever answers a cycle.
std::vector<std::string> lineage(Context& ctx, const proto::ModelRecord& m) {
  constexpr std::size_t kMaxGenerations = 32;
  std::vector<std::string> out;
  std::optional<std::string> next = m.parent_id;
  while (next && out.size() < kMaxGenerations) {
    try {
      const auto parent = ctx.api().model(*next);
      out.push_back(
          parent.id +
          (parent.job_id
               ? " (job " + *parent.job_id + ")"
               : " (" + std::string(name_of(proto::kModelSourceNames, parent.source)) + ")"));
      next = parent.parent_id;
    } catch (const proto::ApiError& e) {
      if (e.status() != 404) throw;
      out.push_back(*next + " (deleted)");
      break;
    }
  }
  if (next && out.size() == kMaxGenerations) out.push_back("...");
  return out;
}

int show_model(Context& ctx, const std::string& id) {
  const auto m = ctx.api().model(id);
  if (ctx.json) {
    ctx.print_json(proto::to_json(m));
  } else {
    print_model_details(m, lineage(ctx, m));
  }
  return kExitOk;
}

struct SetOptions {
  std::string id;
  std::optional<std::string> name, search;
};

int set(Context& ctx, const SetOptions& o) {
  const auto m = ctx.api().update_model(
      o.id, proto::ModelPatch{o.name,
                              o.search ? value_of(proto::kSearchNames, *o.search) : std::nullopt});
  if (ctx.json) {
    ctx.print_json(proto::to_json(m));
  } else {
    ctx.say("model " + m.id + ": name '" + m.name + "', search " +
            std::string(name_of(proto::kSearchNames, m.search)) + "\n");
  }
  return kExitOk;
}

int remove_models(Context& ctx, const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    ctx.api().delete_model(id);
    ctx.say("deleted model " + id + "\n");
  }
  return kExitOk;
}

struct ExportOptions {
  std::string id;
  std::string format = "binary";
  std::string output;
};

int export_model(Context& ctx, const ExportOptions& o) {
  if (o.output == "-") {
    if (o.format != "text" && is_tty(stdout)) {
      throw UsageError(
          "refusing to write a binary file to a terminal: redirect standard output or use -o "
          "FILE");
    }
    std::uint64_t bytes = 0;
    ctx.api().export_model_to(o.id, o.format, [&](const char* data, std::size_t n) {
      if (std::fwrite(data, 1, n, stdout) != n) {
        throw std::runtime_error(std::string("cannot write to standard output: ") +
                                 std::strerror(errno));
      }
      bytes += n;
    });
    if (std::fflush(stdout) != 0) {
      throw std::runtime_error(std::string("cannot write to standard output: ") +
                               std::strerror(errno));
    }
    if (!ctx.quiet && !ctx.json) {
      std::fprintf(stderr, "exported model %s (%s, %s)\n", o.id.c_str(), o.format.c_str(),
                   human_bytes(bytes).c_str());
    }
    return kExitOk;
  }
  const std::string path = o.output.empty() ? o.id + extension_of(o.format) : o.output;
  ctx.api().export_model(o.id, o.format, path);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  ctx.say("exported model " + o.id + " to " + path + " (" + o.format + ", " +
          (ec ? std::string("?") : human_bytes(size)) + ")\n");
  return kExitOk;
}

struct ImportOptions {
  std::string file;
  std::string name;
  std::string format;  // "" : detect
};

int import_model(Context& ctx, const ImportOptions& o) {
  struct stat st {};
  if (::stat(o.file.c_str(), &st) != 0) {
    throw std::runtime_error("cannot open " + o.file + ": " + std::strerror(errno));
  }
  const std::string format = o.format.empty() ? detect_format(o.file) : o.format;
  const std::string name = o.name.empty() ? std::filesystem::path(o.file).stem().string() : o.name;
  const auto size = static_cast<std::uint64_t>(st.st_size);
  TransferProgress progress("uploading " + o.file,
                            !ctx.quiet && ctx.stderr_tty() && size >= kProgressMinBytes);
  const auto m = ctx.api().import_model(
      o.file, name, format,
      [&](std::uint64_t done, std::uint64_t total) { progress.update(done, total); });
  progress.finish();
  if (ctx.json) {
    ctx.print_json(proto::to_json(m));
  } else if (ctx.quiet) {
    std::printf("%s\n", m.id.c_str());
  } else {
    std::printf("imported %s (%s) as model %s (%s): %s words x %d dims\n", o.file.c_str(),
                format.c_str(), m.id.c_str(), m.name.c_str(), grouped(m.vocab_size).c_str(), m.dim);
  }
  return kExitOk;
}

}  // namespace

void print_model_details(const proto::ModelRecord& m, const std::vector<std::string>& lineage) {
  Details d;
  d.add("id", m.id);
  d.add("name", m.name);
  if (m.broken) d.add("BROKEN", *m.broken);
  d.add("source", std::string(name_of(proto::kModelSourceNames, m.source)));
  if (m.job_id) d.add("job", *m.job_id);
  if (m.parent_id) {
    std::string chain;
    for (const auto& g : lineage) chain += (chain.empty() ? "" : " <- ") + g;
    d.add("continues", chain.empty() ? *m.parent_id : chain);
  }
  d.add("weights", m.weights == proto::ModelWeights::kFull
                       ? "full (can be trained further as it was)"
                       : "vectors only (output weights start at zero if trained "
                         "further)");
  d.add("words", grouped(m.vocab_size));
  d.add("dim", std::to_string(m.dim));
  if (m.params) d.add("params", params_summary(*m.params));
  d.add("created", m.created_at);
  d.add("search", std::string(name_of(proto::kSearchNames, m.search)));
  const auto lines = evaluation_lines(m.evaluation);
  if (lines.empty()) {
    d.add("evaluation", "-");
  } else {
    for (std::size_t i = 0; i < lines.size(); ++i) d.add(i == 0 ? "evaluation" : "", lines[i]);
  }
  d.print(stdout);
}

void add_model_commands(CLI::App& app, Context& ctx, Action& action) {
  CLI::App* models = app.add_subcommand("models", "List, show, delete, export and import models");
  models->require_subcommand(1);
  models->footer(examples({"w2vctl models list", "w2vctl models export m_4d5e6f -o vectors.bin"}));
  {
    CLI::App* cmd = models->add_subcommand("list", "List the models");
    cmd->alias("ls");
    cmd->footer(examples({"w2vctl models list", "w2vctl models list -q   # ids only"}));
    cmd->callback([&ctx, &action] { action = [&ctx] { return list_models(ctx); }; });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* cmd =
        models->add_subcommand("show", "Show a model: size, parameters, evaluation scores");
    cmd->add_option("ID", *id, "The model's id (m_...)")->required();
    cmd->footer(examples({"w2vctl models show m_4d5e6f"}));
    cmd->callback([id, &ctx, &action] { action = [id, &ctx] { return show_model(ctx, *id); }; });
  }
  {
    auto o = std::make_shared<SetOptions>();
    CLI::App* cmd = models->add_subcommand(
        "set", "Rename a model, or choose how `similar` searches it by default");
    cmd->add_option("ID", o->id, "The model's id (m_...)")->required();
    cmd->add_option("--name", o->name, "A new name");
    cmd->add_option("--search", o->search,
                    "exact (score every word) or approximate (the model's HNSW index)")
        ->check(one_of(proto::kSearchNames));
    cmd->footer(examples({"w2vctl models set m_4d5e6f --search approximate",
                          "w2vctl models set m_4d5e6f --name news-2026"}));
    cmd->callback([o, &ctx, &action] {
      if (!o->name && !o->search)
        throw CLI::ValidationError("models set", "give --name or --search");
      action = [o, &ctx] { return set(ctx, *o); };
    });
  }
  {
    auto ids = std::make_shared<std::vector<std::string>>();
    CLI::App* cmd = models->add_subcommand("rm", "Delete models and their files");
    cmd->alias("delete");
    cmd->add_option("ID", *ids, "The models' ids (m_...)")->required();
    cmd->footer(examples({"w2vctl models rm m_4d5e6f"}));
    cmd->callback(
        [ids, &ctx, &action] { action = [ids, &ctx] { return remove_models(ctx, *ids); }; });
  }
  {
    auto o = std::make_shared<ExportOptions>();
    CLI::App* cmd = models->add_subcommand(
        "export",
        "Download a model's vectors in word2vec's format (readable by gensim, word2vec, "
        "fastText's tools), or the model as fastText's .bin (with its n-grams: vectors for "
        "words outside the vocabulary)");
    cmd->add_option("ID", o->id, "The model's id (m_...)")->required();
    cmd->add_option("--format", o->format, "binary, text or fasttext")
        ->check(one_of(proto::kModelFileFormatNames))
        ->capture_default_str();
    cmd->add_option("-o,--output", o->output,
                    "The file to write (default: ID.bin, ID.txt or ID.fasttext.bin); - for "
                    "standard output");
    cmd->footer(examples({
        "w2vctl models export m_4d5e6f -o vectors.bin",
        "w2vctl models export m_4d5e6f --format text -o - | head -3",
        "w2vctl models export m_4d5e6f --format fasttext -o model.bin && "
        "echo unseenword | fasttext print-word-vectors model.bin",
        "python3 -c \"from gensim.models import KeyedVectors as K; "
        "print(K.load_word2vec_format('vectors.bin', binary=True).most_similar('king'))\"",
    }));
    cmd->callback([o, &ctx, &action] { action = [o, &ctx] { return export_model(ctx, *o); }; });
  }
  {
    auto o = std::make_shared<ImportOptions>();
    CLI::App* cmd =
        models->add_subcommand("import",
                               "Upload word2vec-format vectors or a fastText model (.bin) as a "
                               "new model");
    cmd->add_option("FILE", o->file, "The vectors or model file")->required();
    cmd->add_option("--name", o->name,
                    "The model's name (default: the file name without extension)");
    cmd->add_option("--format", o->format,
                    "binary, text or fasttext (default: fasttext when the file starts as "
                    "fastText's models do, else by extension, .txt/.vec text, .bin binary, else "
                    "by content)")
        ->check(one_of(proto::kModelFileFormatNames));
    cmd->footer(examples({
        "w2vctl models import GoogleNews-vectors-negative300.bin --name googlenews",
        "w2vctl models import wiki.en.vec",
        "w2vctl models import cc.en.300.bin --name crawl-en",
    }));
    cmd->callback([o, &ctx, &action] { action = [o, &ctx] { return import_model(ctx, *o); }; });
  }
}

}  // namespace w2v::ctl
