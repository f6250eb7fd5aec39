#include "server/services/corpus_service.h"

#include <spdlog/spdlog.h>

#include "proto/api_error.h"

namespace w2v::server {

using proto::ApiError;

CorpusDraft::CorpusDraft(const DataDir& dirs, UploadCounting& counting)
    : staged_(dirs, "the corpus"), text_(staged_.file("text")) {
  counter_.emplace(counting.memory, staged_.path() + "/count-");
}

void CorpusDraft::write(std::string_view text) {
  bytes_ += text.size();
  staged_.write([&] {
    text_.write(text);
    SpillingCountingSink sink{*counter_};
    tokenizer_.feed(text, sink);  // which may spill
  });
}

proto::CorpusRecord CorpusService::publish(CorpusDraft& draft, const std::string& name) {
  SpillingWordCounter& counter = *draft.counter_;
  draft.staged_.write([&] {
    SpillingCountingSink sink{counter};
    draft.tokenizer_.finish(sink);
  });
  if (counter.tokens() == 0) {
    throw ApiError::bad_request("the corpus has no words: the body is empty or only whitespace",
                                "empty_corpus");
  }
  SpillingWordCounter::Totals totals;
  draft.staged_.write([&] {
    draft.text_.commit();
    AtomicFile& counts_file = draft.staged_.file("counts");
    totals = counter.write_counts(counts_file);  // streamed: never the whole list in memory
    counts_file.commit();
  });
  counting_.spills += counter.spills();
  draft.counter_.reset();  // its memory back to the other uploads before the publish

  proto::CorpusRecord record;
  record.id = new_id("c");
  record.name = name.empty() ? record.id : name;
  record.bytes = draft.bytes_;
  record.tokens = totals.tokens;
  record.sentences = totals.sentences;
  record.distinct_words = totals.distinct;
  draft.staged_.publish(dirs_.corpus_dir(record.id));
  record.created_at = proto::now_rfc3339();
  draft.staged_.record([&] { store_.insert_corpus(record); });
  spdlog::info("corpus {} stored: {} bytes, {} tokens, {} distinct words", record.id, record.bytes,
               record.tokens, record.distinct_words);
  return record;
}

proto::CorpusRecord CorpusService::get(const std::string& id) const {
  auto c = store_.corpus(id);
  if (!c) throw proto::not_found_error(proto::Resource::kCorpus, id);
  return *c;
}

std::vector<proto::CorpusRecord> CorpusService::list() const {
  return store_.corpora();
}

void CorpusService::remove(const std::string& id) {
  switch (store_.delete_corpus(id)) {
    case DeleteResult::kNotFound:
      throw proto::not_found_error(proto::Resource::kCorpus, id);
    case DeleteResult::kInUse:
      throw ApiError::conflict(
          "corpus " + id + " is used by a queued or running job; cancel the job first",
          "corpus_in_use");
    case DeleteResult::kDeleted:
      break;
  }
  DataDir::remove_all(dirs_.corpus_dir(id));
  spdlog::info("corpus {} deleted", id);
}

}  // namespace w2v::server
