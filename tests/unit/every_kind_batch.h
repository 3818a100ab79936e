// A RowBatch with every kind of cell, extremes included, for the tests of
// the code that encodes and reads batches.
#ifndef LEVERCONNECT_TESTS_UNIT_EVERY_KIND_BATCH_H_
#define LEVERCONNECT_TESTS_UNIT_EVERY_KIND_BATCH_H_

#include <cstdint>
#include <string>

#include "leverconnect/v1/import.pb.h"

namespace leverconnect::testing {

// Two rows: the first holds 14 cells of every kind (null, strings, integers,
// doubles, booleans, a timestamp, lists nested and empty) and two
// warnings; the second a single string cell. Page 12.
inline v1::RowBatch EveryKind() {
  v1::RowBatch batch;
  batch.set_page(12);
  v1::Row* row = batch.add_rows();
  row->set_requisition_id("7c9e6679-7425-40de-944b-e07fc1f90ae7");
  row->add_cells()->set_null_value(google::protobuf::NULL_VALUE);
  row->add_cells()->set_string_value("");
  row->add_cells()->set_string_value("Ingénieur·e logiciel, Zürich 日本");
  row->add_cells()->set_string_value(std::string(300, 'x'));
  row->add_cells()->set_integer_value(-1);
  row->add_cells()->set_integer_value(INT64_MAX);
  row->add_cells()->set_integer_value(0);
  row->add_cells()->set_double_value(-0.25);
  row->add_cells()->set_double_value(1e300);
  row->add_cells()->set_bool_value(true);
  row->add_cells()->set_bool_value(false);
  v1::Value* instant = row->add_cells();
  instant->mutable_timestamp_value()->set_seconds(-62135596800);
  instant->mutable_timestamp_value()->set_nanos(999999999);
  v1::Value* list = row->add_cells();
  list->mutable_list_value()->add_values()->set_string_value("a");
  list->mutable_list_value()->add_values()->set_null_value(
      google::protobuf::NULL_VALUE);
  v1::Value* nested = list->mutable_list_value()->add_values();
  nested->mutable_list_value()->add_values()->set_integer_value(3);
  list->mutable_list_value()->add_values()->set_string_value("b");
  row->add_cells()->mutable_list_value();  // an empty list
  row->add_warnings("custom.level: expected number, got string \"9\"");
  row->add_warnings("second warning");

  v1::Row* other = batch.add_rows();
  other->set_requisition_id("second");
  other->add_cells()->set_string_value("only");
  return batch;
}
}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_UNIT_EVERY_KIND_BATCH_H_
