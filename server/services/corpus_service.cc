#include "server/services/corpus_service.h"

#include <spdlog/spdlog.h>

#include <sstream>

#include "proto/api_error.h"

namespace w2v::server {

using proto::ApiError;

CorpusDraft::CorpusDraft(const DataDir& dirs)
    : staged_(dirs, "the corpus"), text_(staged_.file("text")) {}

void CorpusDraft::write(std::string_view text) {
  bytes_ += text.size();
  staged_.write([&] { text_.write(text); });
  CountingSink sink{counts_};
  tokenizer_.feed(text, sink);
}

proto::CorpusRecord CorpusService::publish(CorpusDraft& draft, const std::string& name) {
  CountingSink sink{draft.counts_};
  draft.tokenizer_.finish(sink);
  const WordCounts& counts = draft.counts_;
  if (counts.tokens() == 0) {
    throw ApiError::bad_request("the corpus has no words: the body is empty or only whitespace",
                                "empty_corpus");
  }
  proto::CorpusRecord record;
  record.id = new_id("c");
  record.name = name.empty() ? record.id : name;
  record.bytes = draft.bytes_;
  record.tokens = counts.tokens();
  record.sentences = counts.sentences();
  record.distinct_words = counts.distinct();

  draft.staged_.write([&] {
    draft.text_.commit();
    std::ostringstream out;
    counts.save(out);
    AtomicFile& counts_file = draft.staged_.file("counts");
    counts_file.write(out.str());
    counts_file.commit();
  });
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
