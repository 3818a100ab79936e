// bench_mapping: the server's CPU cost per requisition, in-process, for the
// steps every streamed requisition goes through, with the server's own
// code:
//   parse        - RapidJSON parses a Lever list page in place (as
//                  lib/lever does), the page's release and lib/lever's
//                  check that its text is UTF-8 included,
//   map+encode   - importer::EncodedPage maps every column of the schema
//                  straight into the StreamRequisitionsResponse bytes the
//                  server sends (RowMapper::MapEncoded), reused from page
//                  to page as each reading thread of the importer does.
// Beside them, not in the total: the same rows through a RowBatch, as
// Pigment runs and the rare page that needs its text repaired take them
// (map: importer::MapPageRows; encode: protobuf's own serialization of
// the response, whose bytes are checked to be the same), and what the client
// library does with each message it receives: decode, parsed into messages on
// its reused client::MessageArena (StreamHandlers::on_batch); view, indexed by
// a reused client::RowBatchView with every cell then read once
// (StreamHandlers::on_rows).
//
// Data: requisitions made by fake-lever's generator (every standard member
// of the recorded Lever objects, the traps of real data, and the generated
// custom fields: text, number, date, an object with two subfields and a
// dropdown, about 5% of values of the wrong type), cut into Lever pages of
// 100. When the recorded Lever sandbox page is found, the same measure runs
// on it too, its requisitions repeated to the same count.
//
//   bench_mapping [--count N] [--runs R] [--page-size P] [--recorded-dir DIR]
//
// Each run times every page; the table gives the median over R runs (after
// one warm-up run) of the microseconds per requisition of each step.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "bench/harness.h"
#include "client/message_arena.h"
#include "client/row_view.h"
#include "leverconnect/v1/import.pb.h"
#include "lib/importer/page_rows.h"
#include "lib/mapping/requisition_schema.h"
#include "lib/mapping/row_mapper.h"
#include "lib/text/utf8.h"
#include "tests/fakes/generated_custom_fields.h"
#include "tests/fakes/requisition_generator.h"

#ifndef LEVERCONNECT_BENCH_RECORDED_DIR
#define LEVERCONNECT_BENCH_RECORDED_DIR ""
#endif

namespace leverconnect::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Dataset {
  std::string name;
  std::vector<std::string> pages;  // Lever list pages, JSON text
  std::string fields_json;         // the "data" array of /requisition_fields
  int requisitions = 0;
  std::int64_t json_bytes = 0;
};

struct RunTimes {
  double parse = 0, stream = 0;  // seconds
  double map = 0, encode = 0;    // seconds, through a RowBatch
  double decode = 0, view = 0;   // seconds, on the client
  std::int64_t encoded_bytes = 0;
  std::uint64_t cells_read = 0;  // ReadEveryCell's sum
};

std::string PageJson(const std::vector<const std::string*>& items,
                     bool has_next) {
  std::string page = "{\"data\":[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) page += ',';
    page += *items[i];
  }
  // The shape of a Lever page: a cursor when there is more.
  page += has_next ? "],\"hasNext\":true,\"next\":\"0.1700000000000.abcdef\"}"
                   : "],\"hasNext\":false}";
  return page;
}

void CutIntoPages(const std::vector<std::string>& objects, int count,
                  int page_size, Dataset& dataset) {
  std::vector<const std::string*> items;
  for (int i = 0; i < count; ++i) {
    items.push_back(&objects[i % objects.size()]);
    if (static_cast<int>(items.size()) == page_size || i + 1 == count) {
      dataset.pages.push_back(PageJson(items, i + 1 < count));
      dataset.json_bytes += dataset.pages.back().size();
      items.clear();
    }
  }
  dataset.requisitions = count;
}

Dataset Generated(int count, int page_size) {
  Dataset dataset;
  dataset.name = "generated (fake-lever generator, seed 1)";
  std::vector<std::string> objects;
  for (testing::StoredRequisition& requisition :
       testing::GenerateRequisitions(count, 1)) {
    objects.push_back(std::move(requisition.json));
  }
  CutIntoPages(objects, count, page_size, dataset);
  dataset.fields_json = testing::GeneratedRequisitionFieldsJson();
  return dataset;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The recorded sandbox page, its requisitions repeated up to `count`; false
// when the files are not there.
bool Recorded(const std::string& dir, int count, int page_size,
              Dataset& dataset) {
  if (dir.empty()) return false;
  const std::string page = ReadFile(dir + "/list_requisitions.json");
  const std::string fields = ReadFile(dir + "/list_requisition_fields.json");
  rapidjson::Document page_doc, fields_doc;
  page_doc.Parse(page.c_str());
  fields_doc.Parse(fields.c_str());
  if (page_doc.HasParseError() || !page_doc.IsObject() ||
      !page_doc.HasMember("data") || !page_doc["data"].IsArray() ||
      page_doc["data"].Empty() || fields_doc.HasParseError() ||
      !fields_doc.IsObject() || !fields_doc.HasMember("data")) {
    return false;
  }
  std::vector<std::string> objects;
  for (const rapidjson::Value& requisition : page_doc["data"].GetArray()) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    requisition.Accept(writer);
    objects.emplace_back(buffer.GetString(), buffer.GetSize());
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  fields_doc["data"].Accept(writer);
  dataset.fields_json.assign(buffer.GetString(), buffer.GetSize());
  dataset.name = "recorded sandbox page (" + std::to_string(objects.size()) +
                 " requisitions, repeated)";
  CutIntoPages(objects, count, page_size, dataset);
  return true;
}

mapping::RowMapper MapperFor(const Dataset& dataset, int& columns) {
  rapidjson::Document fields;
  fields.Parse(dataset.fields_json.c_str());
  absl::StatusOr<std::vector<mapping::CustomFieldDefinition>> definitions =
      mapping::ParseRequisitionFields(fields);
  if (!definitions.ok()) {
    std::fprintf(stderr, "bench_mapping: %s\n",
                 definitions.status().ToString().c_str());
    std::exit(1);
  }
  const v1::RequisitionSchema schema =
      mapping::BuildRequisitionSchema(*definitions);
  absl::StatusOr<mapping::RowMapper> mapper =
      mapping::RowMapper::Create(schema, {});
  if (!mapper.ok()) {
    std::fprintf(stderr, "bench_mapping: %s\n",
                 mapper.status().ToString().c_str());
    std::exit(1);
  }
  columns = mapper->schema().columns_size();
  return *std::move(mapper);
}

// One pass over every page, the way an import treats each page: the body
// parsed in place (lib/lever), the rows mapped into the encoding the
// server writes (EncodedPage, reused from page to page as each reading
// thread of the importer does); then the same through a reused RowBatch
// (MapPageRows, then protobuf's serialization). The copy of each page into the
// buffer it is parsed in stands for its arrival from Lever and is not timed;
// the release of each page's document is timed with the parse. Each encoded
// message is then decoded as the client library decodes it.
RunTimes RunOnce(const Dataset& dataset, const mapping::RowMapper& mapper,
                 importer::EncodedPage& page_rows,
                 v1::StreamRequisitionsResponse& response,
                 client::MessageArena& arena, client::RowBatchView& view,
                 std::int64_t& rows_with_warnings) {
  RunTimes times;
  v1::RowBatch& batch = *response.mutable_batch();
  std::string body;
  std::vector<std::uint8_t> streamed;
  std::vector<std::uint8_t> encoded;
  rows_with_warnings = 0;
  for (const std::string& page : dataset.pages) {
    body.assign(page);
    const auto t0 = Clock::now();
    auto document = std::make_unique<rapidjson::Document>();
    document->ParseInsitu(body.data());
    const bool text_is_utf8 = text::IsUtf8(body);  // as lib/lever checks
    const auto t1 = Clock::now();
    if (document->HasParseError()) {
      std::fprintf(stderr, "bench_mapping: a page does not parse\n");
      std::exit(1);
    }
    if (!text_is_utf8) {
      std::fprintf(stderr, "bench_mapping: a page is not UTF-8\n");
      std::exit(1);
    }
    rows_with_warnings += page_rows.Map(mapper, (*document)["data"], {},
                                        mapping::RowMapper::Text::kKnownUtf8);
    if (page_rows.messages() != 1) std::exit(1);  // one message per page
    streamed.resize(page_rows.MessageSize(0, 1));
    page_rows.WriteMessage(0, 1, streamed.data());
    const auto t2 = Clock::now();
    importer::MapPageRows(mapper, (*document)["data"], {}, &batch,
                          mapping::RowMapper::Text::kKnownUtf8);
    batch.set_page(1);
    const auto t3 = Clock::now();
    encoded.resize(response.ByteSizeLong());
    response.SerializeWithCachedSizesToArray(encoded.data());
    const auto t4 = Clock::now();
    document.reset();
    const auto t5 = Clock::now();
    if (encoded != streamed) {
      std::fprintf(stderr, "bench_mapping: the two encodings differ\n");
      std::exit(1);
    }
    auto* received = arena.Fresh<v1::StreamRequisitionsResponse>();
    if (!received->ParseFromArray(encoded.data(),
                                  static_cast<int>(encoded.size())) ||
        received->batch().rows_size() != batch.rows_size()) {
      std::fprintf(stderr, "bench_mapping: a batch does not decode\n");
      std::exit(1);
    }
    const auto t6 = Clock::now();
    const std::optional<absl::string_view> payload =
        client::EncodedBatchOf(absl::string_view(
            reinterpret_cast<const char*>(encoded.data()), encoded.size()));
    if (!payload.has_value() || !view.Parse(*payload).ok() ||
        view.rows().size() != static_cast<std::size_t>(batch.rows_size())) {
      std::fprintf(stderr, "bench_mapping: a batch does not read as a view\n");
      std::exit(1);
    }
    times.cells_read += ReadEveryCell(view);
    const auto t7 = Clock::now();
    times.parse += std::chrono::duration<double>((t1 - t0) + (t5 - t4)).count();
    times.stream += std::chrono::duration<double>(t2 - t1).count();
    times.map += std::chrono::duration<double>(t3 - t2).count();
    times.encode += std::chrono::duration<double>(t4 - t3).count();
    times.decode += std::chrono::duration<double>(t6 - t5).count();
    times.view += std::chrono::duration<double>(t7 - t6).count();
    times.encoded_bytes += static_cast<std::int64_t>(encoded.size());
  }
  return times;
}

struct Line {
  std::string name;
  int requisitions = 0, columns = 0, runs = 0;
  double parse_us = 0, stream_us = 0, total_us = 0, best_us = 0;
  double map_us = 0, encode_us = 0;
  double decode_us = 0, view_us = 0;
  double json_bytes = 0, encoded_bytes = 0, warnings_share = 0;
};

Line Measure(const Dataset& dataset, int runs) {
  Line line;
  line.name = dataset.name;
  line.requisitions = dataset.requisitions;
  line.runs = runs;
  const mapping::RowMapper mapper = MapperFor(dataset, line.columns);
  std::int64_t warnings = 0;
  importer::EncodedPage page_rows;
  v1::StreamRequisitionsResponse response;  // a RowBatch reused page to page
  client::MessageArena arena;
  client::RowBatchView view;
  RunOnce(dataset, mapper, page_rows, response, arena, view,
          warnings);  // warm-up
  std::vector<double> parse, stream, map, encode, total, decode, viewed;
  RunTimes last;
  for (int run = 0; run < runs; ++run) {
    last = RunOnce(dataset, mapper, page_rows, response, arena, view, warnings);
    const double n = dataset.requisitions;
    parse.push_back(last.parse * 1e6 / n);
    stream.push_back(last.stream * 1e6 / n);
    map.push_back(last.map * 1e6 / n);
    encode.push_back(last.encode * 1e6 / n);
    total.push_back((last.parse + last.stream) * 1e6 / n);
    decode.push_back(last.decode * 1e6 / n);
    viewed.push_back(last.view * 1e6 / n);
  }
  line.parse_us = Median(parse);
  line.stream_us = Median(stream);
  line.map_us = Median(map);
  line.encode_us = Median(encode);
  line.total_us = Median(total);
  line.decode_us = Median(decode);
  line.view_us = Median(viewed);
  line.best_us = *std::min_element(total.begin(), total.end());
  line.json_bytes =
      static_cast<double>(dataset.json_bytes) / dataset.requisitions;
  line.encoded_bytes =
      static_cast<double>(last.encoded_bytes) / dataset.requisitions;
  line.warnings_share = 100.0 * warnings / dataset.requisitions;
  return line;
}

int Main(int argc, char** argv) {
  int count = 10000, runs = 7, page_size = 100;
  std::string recorded_dir = LEVERCONNECT_BENCH_RECORDED_DIR;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const bool has_value = i + 1 < argc;
    if (flag == "--count" && has_value) {
      count = std::atoi(argv[++i]);
    } else if (flag == "--runs" && has_value) {
      runs = std::atoi(argv[++i]);
    } else if (flag == "--page-size" && has_value) {
      page_size = std::atoi(argv[++i]);
    } else if (flag == "--recorded-dir" && has_value) {
      recorded_dir = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: bench_mapping [--count N] [--runs R] "
                   "[--page-size P] [--recorded-dir DIR]\n");
      return 2;
    }
  }
  if (count < 1 || runs < 1 || page_size < 1) {
    std::fprintf(stderr, "bench_mapping: values must be positive\n");
    return 2;
  }

  std::vector<Line> lines;
  lines.push_back(Measure(Generated(count, page_size), runs));
  Dataset recorded;
  if (Recorded(recorded_dir, count, page_size, recorded)) {
    lines.push_back(Measure(recorded, runs));
  }

  std::printf("## 1. Mapping cost per requisition (bench_mapping)\n\n");
  std::printf(
      "%s; %d requisitions in pages of %d; median of %d runs after "
      "a warm-up (best run: the fastest of them); every column.\n\n",
      MachineLine().c_str(), count, page_size, runs);
  std::printf(
      "| data | columns | JSON B/req | parse us | map+encode us "
      "| total us | best run us | encoded B/row | rows with warnings | "
      "target total <= 5 us | RowBatch map us | RowBatch encode us "
      "| client decode us | client view us |\n");
  std::printf(
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
      "| ---: | --- | ---: | ---: | ---: | ---: |\n");
  for (const Line& line : lines) {
    std::printf(
        "| %s | %d | %s | %s | %s | **%s** | %s | %s | %s%% | "
        "%s | %s | %s | %s | %s |\n",
        line.name.c_str(), line.columns, Fixed(line.json_bytes, 0).c_str(),
        Fixed(line.parse_us, 2).c_str(), Fixed(line.stream_us, 2).c_str(),
        Fixed(line.total_us, 2).c_str(), Fixed(line.best_us, 2).c_str(),
        Fixed(line.encoded_bytes, 0).c_str(),
        Fixed(line.warnings_share, 1).c_str(),
        line.total_us <= 5.0 ? "met" : "NOT met", Fixed(line.map_us, 2).c_str(),
        Fixed(line.encode_us, 2).c_str(), Fixed(line.decode_us, 2).c_str(),
        Fixed(line.view_us, 2).c_str());
  }
  std::printf("\n");
  return 0;
}

}  // namespace
}  // namespace leverconnect::bench

int main(int argc, char** argv) {
  return leverconnect::bench::Main(argc, argv);
}
