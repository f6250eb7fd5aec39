#include "core/search/evaluation.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <istream>
#include <numeric>
#include <sstream>
#include <unordered_map>

namespace w2v {
namespace {

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Finds words among the first `restrict` rows, optionally ignoring ASCII case (the most
// frequent row with a given lower-cased form wins).
class WordLookup {
 public:
  WordLookup(const Embeddings& emb, std::size_t restrict, bool case_insensitive)
      : emb_(emb),
        rows_(restrict == 0 ? emb.size() : std::min(restrict, emb.size())),
        case_insensitive_(case_insensitive) {
    if (!case_insensitive_) return;
    folded_.reserve(rows_);
    for (std::uint32_t id = 0; id < rows_; ++id) folded_.emplace(ascii_lower(emb.word(id)), id);
  }
  std::optional<std::uint32_t> find(std::string_view word) const {
    if (case_insensitive_) {
      const auto it = folded_.find(ascii_lower(word));
      if (it == folded_.end()) return std::nullopt;
      return it->second;
    }
    const auto id = emb_.find(word);
    if (!id || *id >= rows_) return std::nullopt;
    return id;
  }
  std::size_t rows() const noexcept { return rows_; }

 private:
  const Embeddings& emb_;
  std::size_t rows_;
  bool case_insensitive_;
  std::unordered_map<std::string, std::uint32_t> folded_;
};

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

bool is_blank(const std::string& line) {
  return std::all_of(line.begin(), line.end(), [](unsigned char c) { return std::isspace(c); });
}

std::optional<double> parse_number(const std::string& s) {
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::vector<double> average_ranks(const std::vector<double>& x) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> ranks(x.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]]) ++j;
    const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t t = i; t <= j; ++t) ranks[order[t]] = rank;
    i = j + 1;
  }
  return ranks;
}

}  // namespace

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const std::size_t n = x.size();
  if (n < 2 || y.size() != n) return 0;
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx <= 0 || syy <= 0) return 0;
  return sxy / std::sqrt(sxx * syy);
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  return pearson(average_ranks(x), average_ranks(y));
}

AnalogyScores evaluate_analogies(const Embeddings& emb, std::istream& questions,
                                 const AnalogyOptions& options) {
  const WordLookup lookup(emb, options.restrict_vocab, options.case_insensitive);
  struct Question {
    std::size_t section;
    std::uint32_t a, b, c, d;
  };
  AnalogyScores scores;
  std::vector<Question> covered;
  std::string line;
  for (std::size_t line_no = 1; std::getline(questions, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (is_blank(line)) continue;
    if (line[0] == ':') {
      const auto name = split_words(line.substr(1));
      scores.sections.push_back({name.empty() ? std::string() : name[0]});
      continue;
    }
    const auto w = split_words(line);
    if (w.size() != 4) {
      throw EvaluationFormatError("analogies line " + std::to_string(line_no) +
                                  ": expected 4 words, got " + std::to_string(w.size()));
    }
    if (scores.sections.empty()) scores.sections.push_back({""});
    AnalogySection& section = scores.sections.back();
    ++section.questions;
    ++scores.questions;
    const auto a = lookup.find(w[0]), b = lookup.find(w[1]), c = lookup.find(w[2]),
               d = lookup.find(w[3]);
    if (!a || !b || !c || !d) continue;
    ++section.covered;
    covered.push_back({scores.sections.size() - 1, *a, *b, *c, *d});
  }

  const auto is_syntactic = [](const std::string& name) { return name.rfind("gram", 0) == 0; };
  auto record = [&](const Question& q, bool correct) {
    AnalogySection& s = scores.sections[q.section];
    s.correct += correct;
    ++scores.covered;
    scores.correct += correct;
    if (is_syntactic(s.name)) {
      ++scores.syntactic_covered;
      scores.syntactic_correct += correct;
    } else {
      ++scores.semantic_covered;
      scores.semantic_correct += correct;
    }
  };

  if (options.method == AnalogyMethod::kMul) {
    for (const Question& q : covered) {
      const auto best = emb.analogy(q.a, q.b, q.c, 1, AnalogyMethod::kMul, lookup.rows());
      record(q, !best.empty() && best[0].id == q.d);
    }
    return scores;
  }
  // 3CosAdd in batches: query b − a + c of unit vectors (as analogy() forms it), best answer
  // outside {a, b, c}.
  constexpr std::size_t kBatch = 1024;
  for (std::size_t start = 0; start < covered.size(); start += kBatch) {
    const std::size_t n = std::min(kBatch, covered.size() - start);
    Matrix queries(n, emb.dim());
    std::vector<std::vector<std::uint32_t>> exclude(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Question& q = covered[start + i];
      const std::uint32_t pos[] = {q.b, q.c}, neg[] = {q.a};
      const std::vector<float> query = emb.query_vector(pos, neg);
      std::copy(query.begin(), query.end(), queries.row(i));
      exclude[i] = {q.a, q.b, q.c};
    }
    const auto best = emb.nearest_batch(queries, 1, exclude, lookup.rows());
    for (std::size_t i = 0; i < n; ++i) {
      const Question& q = covered[start + i];
      record(q, !best[i].empty() && best[i][0].id == q.d);
    }
  }
  return scores;
}

PairScores evaluate_pairs(const Embeddings& emb, std::istream& pairs, const PairOptions& options) {
  const WordLookup lookup(emb, options.restrict_vocab, options.case_insensitive);
  PairScores scores;
  std::vector<double> human, model;
  std::string line;
  bool seen_data = false;
  for (std::size_t line_no = 1; std::getline(pairs, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (is_blank(line) || line[0] == '#') continue;
    const auto w = split_words(line);
    const std::optional<double> score = w.size() >= 3 ? parse_number(w[2]) : std::nullopt;
    if (!score) {
      if (!seen_data && w.size() >= 3) {  // a header line
        seen_data = true;
        continue;
      }
      throw EvaluationFormatError("pairs line " + std::to_string(line_no) +
                                  ": expected 'word word score'");
    }
    seen_data = true;
    ++scores.pairs;
    const auto a = lookup.find(w[0]), b = lookup.find(w[1]);
    if (!a || !b) continue;
    human.push_back(*score);
    model.push_back(emb.similarity(*a, *b));
  }
  scores.used = human.size();
  scores.spearman = spearman(human, model);
  scores.pearson = pearson(human, model);
  return scores;
}

}  // namespace w2v
