#pragma once
// The job parameters, each declared once (like fastText's args.h and LevelDB's options.h): its
// name (the API's field; the command lines' --name, with '-' for '_'), a label for forms, the
// TrainParams member it sets, its default (TrainParams{}'s value, or a rule settled at
// admission when it depends on other parameters, like alpha's), its valid values, and one line
// of help. Everything that lists the parameters iterates kParams: the API's parser and the
// records' JSON (proto/train_params_json.h), `w2vd train`'s and `w2vctl train`'s flags,
// GET /v1/params (the dashboard's New job form), and the tests that hold README.md's table
// and proto/openapi.yaml's schema to it. Adding a parameter is a member of TrainParams, a row
// here, the code that uses it and its tests.
//
// Knows no JSON and no command line: values are ParamValue, and text ("100", "cbow", "true")
// is read and written here for the command lines alone.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/train/train_params.h"

namespace w2v {

// kInteger: int and int64 members (std::int64_t values); kUnsigned: the seed (std::uint64_t,
// any value); kReal: double; kBool: bool; kChoice: an enum, as one of its names.
enum class ParamKind { kInteger, kUnsigned, kReal, kBool, kChoice };
using ParamValue = std::variant<std::int64_t, std::uint64_t, double, bool, std::string_view>;

struct ParamSpec {
  std::string_view name;   // "min_count"
  std::string_view label;  // "Minimum count"
  ParamKind kind = ParamKind::kInteger;
  std::string_view help;  // one line, lower case, no final full stop
  // The valid values (inclusive): [int_min, int_max] for kInteger, [real_min, real_max] for
  // kReal; the names of choices for kChoice.
  std::int64_t int_min = 0, int_max = 0;
  double real_min = 0, real_max = 0;
  std::span<const std::string_view> choices;
  // The default as people read it when TrainParams{}'s value stands for a rule settled at
  // admission ("0.025 for skipgram, 0.05 for cbow"); empty when the value is the default.
  std::string_view default_rule;
  // Applies the rule of default_rule to p, whose other parameters are settled (admission).
  void (*settle)(TrainParams& p) = nullptr;
  // kReal: 0 is valid too, and means default_rule (alpha).
  bool zero_is_default = false;
  // Absent from records written before it existed (the records' JSON reads it as the default).
  bool added_later = false;
  ParamValue (*get)(const TrainParams& p) = nullptr;
  // Sets the member from v, which holds kind's alternative (range unchecked).
  void (*set)(TrainParams& p, const ParamValue& v) = nullptr;
  const void* member = nullptr;  // identifies the member (param_of<&TrainParams::x>())
};

namespace param_detail {

template <auto M>
using MemberType = std::remove_cvref_t<decltype(std::declval<TrainParams&>().*M)>;

template <auto M>
inline constexpr char kTag = 0;

template <class E>
inline constexpr auto kChoiceNames = names_of(enum_names(E{}));

template <auto M>
ParamValue get(const TrainParams& p) {
  using T = MemberType<M>;
  if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::uint64_t>) {
    return p.*M;
  } else if constexpr (std::is_enum_v<T>) {
    return name_of(enum_names(T{}), p.*M);
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<std::int64_t>(p.*M);
  } else {
    return static_cast<double>(p.*M);
  }
}

template <auto M>
void set(TrainParams& p, const ParamValue& v) {
  using T = MemberType<M>;
  if constexpr (std::is_same_v<T, bool>) {
    p.*M = std::get<bool>(v);
  } else if constexpr (std::is_enum_v<T>) {
    p.*M = value_of(enum_names(T{}), std::get<std::string_view>(v)).value_or(T{});
  } else if constexpr (std::is_same_v<T, std::uint64_t>) {
    p.*M = std::get<std::uint64_t>(v);
  } else if constexpr (std::is_integral_v<T>) {
    p.*M = static_cast<T>(std::get<std::int64_t>(v));
  } else {
    p.*M = std::get<double>(v);
  }
}

// The fields every row shares; the kind and accessors follow from the member's type.
template <auto M>
constexpr ParamSpec row(std::string_view name, std::string_view label, std::string_view help) {
  using T = MemberType<M>;
  ParamSpec s;
  s.name = name;
  s.label = label;
  s.help = help;
  if constexpr (std::is_same_v<T, bool>) {
    s.kind = ParamKind::kBool;
  } else if constexpr (std::is_enum_v<T>) {
    s.kind = ParamKind::kChoice;
    s.choices = kChoiceNames<T>;
  } else if constexpr (std::is_same_v<T, std::uint64_t>) {
    s.kind = ParamKind::kUnsigned;
  } else if constexpr (std::is_integral_v<T>) {
    s.kind = ParamKind::kInteger;
  } else {
    s.kind = ParamKind::kReal;
  }
  s.get = &get<M>;
  s.set = &set<M>;
  s.member = &kTag<M>;
  return s;
}

template <auto M, class T>
constexpr ParamSpec row(std::string_view name, std::string_view label, Range<T> range,
                        std::string_view help) {
  ParamSpec s = row<M>(name, label, help);
  if constexpr (std::is_integral_v<T>) {
    s.int_min = range.min;
    s.int_max = range.max;
  } else {
    s.real_min = range.min;
    s.real_max = range.max;
  }
  return s;
}

constexpr ParamSpec later(ParamSpec s) {
  s.added_later = true;
  return s;
}

inline void settle_alpha(TrainParams& p) {
  if (p.alpha == 0) p.alpha = p.effective_alpha();
}

constexpr ParamSpec alpha_row() {
  ParamSpec s = row<&TrainParams::alpha>(
      "alpha", "Learning rate", ParamLimits::alpha,
      "initial learning rate, decaying linearly over the run (0: the model's default)");
  s.default_rule = "0.025 for skipgram, 0.05 for cbow";
  s.settle = &settle_alpha;
  s.zero_is_default = true;
  return s;
}

// The table. Its order is the order of forms, flags, documentation and error lists.
inline constexpr ParamSpec kTable[] = {
    row<&TrainParams::model>(
        "model", "Model",
        "skipgram (predict the context from a word) or cbow (a word from its context)"),
    row<&TrainParams::loss>(
        "loss", "Loss",
        "ns (negative sampling), hs (hierarchical softmax) or softmax (full softmax)"),
    later(row<&TrainParams::kernel>(
        "kernel", "Kernel",
        "how ns computes examples: pair (one at a time, word2vec's loop) or batch (minibatched "
        "with shared negatives); auto: batch for skipgram, pair for cbow; hs and softmax use "
        "pair")),
    row<&TrainParams::dim>("dim", "Dimension", ParamLimits::dim, "vector dimension"),
    row<&TrainParams::window>("window", "Window", ParamLimits::window,
                              "largest context distance (see shrink_windows)"),
    later(row<&TrainParams::shrink_windows>(
        "shrink_windows", "Shrink windows",
        "draw each position's window uniformly from 1..window, as word2vec does (false: always "
        "the full window, as gensim's shrink_windows=False)")),
    row<&TrainParams::negative>("negative", "Negative samples", ParamLimits::negative,
                                "negative samples per example (loss ns)"),
    row<&TrainParams::min_count>("min_count", "Minimum count", ParamLimits::min_count,
                                 "words rarer than this are dropped"),
    row<&TrainParams::max_vocab>("max_vocab", "Maximum vocabulary", ParamLimits::max_vocab,
                                 "keep only the most frequent words (0: no limit)"),
    row<&TrainParams::sample>("sample", "Subsampling", ParamLimits::sample,
                              "frequent-word subsampling threshold (0: off)"),
    row<&TrainParams::epochs>("epochs", "Epochs", ParamLimits::epochs, "passes over the corpus"),
    alpha_row(),
    row<&TrainParams::threads>(
        "threads", "Threads", ParamLimits::threads,
        "training threads (0: the server's --train-threads; for w2vd train, every core)"),
    row<&TrainParams::seed>("seed", "Seed",
                            "random seed; with threads 1 a run is reproducible bit for bit"),
    later(row<&TrainParams::minn>("minn", "Min n-gram", ParamLimits::minn,
                                  "shortest character n-gram of subwords, in characters")),
    later(row<&TrainParams::maxn>(
        "maxn", "Max n-gram", ParamLimits::maxn,
        "longest character n-gram of subwords (0: no subwords, word2vec's model; fastText: 6)")),
    later(row<&TrainParams::bucket>(
        "bucket", "Buckets", ParamLimits::bucket,
        "rows the n-grams of subwords are hashed into (each costs a row of dim floats)")),
};
}  // namespace param_detail

inline constexpr const auto& kParams = param_detail::kTable;
inline constexpr std::size_t kParamCount = std::size(kParams);

// The row of a member: param_of<&TrainParams::dim>().
template <auto M>
const ParamSpec& param_of() noexcept {
  for (const ParamSpec& s : kParams)
    if (s.member == &param_detail::kTag<M>) return s;
  return kParams[0];  // unreachable for a member with a row
}
// The row named name; nullptr when there is none.
const ParamSpec* find_param(std::string_view name) noexcept;
inline std::size_t index_of(const ParamSpec& s) noexcept {
  return static_cast<std::size_t>(&s - kParams);
}

// The default as people read it: default_rule, or TrainParams{}'s value as text.
std::string default_text(const ParamSpec& s);
// The valid values for messages: "an integer in [1, 4096]", "a number in [1e-06, 1]", "an
// integer in [0, 18446744073709551615]", "true or false", "\"skipgram\" or \"cbow\"".
std::string range_text(const ParamSpec& s);
// "dim must be an integer in [1, 4096], got 0" when v is not valid (v holds the kind's
// alternative); nullopt when it is.
std::optional<std::string> check_param(const ParamSpec& s, const ParamValue& v);

// The command lines' flag: "--min-count" for min_count.
std::string flag_name(const ParamSpec& s);
// What a value must be, for a message about text of another kind: "an integer", "a number",
// "true or false", "\"skipgram\" or \"cbow\"".
std::string kind_text(const ParamSpec& s);
// Text as command lines give it: "100", "1e-4", "cbow", "true"/"false". nullopt when text is
// not of the kind (a choice not among choices included); the range is not checked.
std::optional<ParamValue> param_from_text(const ParamSpec& s, std::string_view text);
// v as text: integers in decimal, reals in %g ("0.0001"), choices by name, "true"/"false".
std::string param_text(const ParamSpec& s, const ParamValue& v);

// The parameters a job request sets; the others are settled when the job is admitted (the
// parent model's, for a continued job, else the defaults), by settle_params(over(base)).
class ParamSettings {
 public:
  void set(const ParamSpec& s, ParamValue v) { values_[index_of(s)] = v; }
  const std::optional<ParamValue>& get(const ParamSpec& s) const { return values_[index_of(s)]; }
  bool given(const ParamSpec& s) const { return values_[index_of(s)].has_value(); }
  // The request's value of a member, typed: settings.value<&TrainParams::dim>().
  template <auto M>
  std::optional<param_detail::MemberType<M>> value() const {
    const ParamSpec& s = param_of<M>();
    if (!given(s)) return std::nullopt;
    TrainParams t;
    s.set(t, *get(s));
    return t.*M;
  }
  // base with every given value.
  TrainParams over(TrainParams base) const;

 private:
  std::array<std::optional<ParamValue>, kParamCount> values_;
};

// Applies the rules of the defaults that depend on other parameters (alpha's): p's values as
// a job is admitted with them. Idempotent.
TrainParams settle_params(TrainParams p);

}  // namespace w2v
