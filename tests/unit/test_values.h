// Cells, columns, schemas and rows built in one call, for the tests of what
// reads rows.
#ifndef LEVERCONNECT_TESTS_UNIT_TEST_VALUES_H_
#define LEVERCONNECT_TESTS_UNIT_TEST_VALUES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "leverconnect/v1/values.pb.h"

namespace leverconnect::row_testing {

inline v1::Value Null() {
  v1::Value value;
  value.set_null_value(google::protobuf::NULL_VALUE);
  return value;
}

inline v1::Value Text(const std::string& text) {
  v1::Value value;
  value.set_string_value(text);
  return value;
}

inline v1::Value Integer(std::int64_t number) {
  v1::Value value;
  value.set_integer_value(number);
  return value;
}

inline v1::Value Double(double number) {
  v1::Value value;
  value.set_double_value(number);
  return value;
}

inline v1::Value Bool(bool flag) {
  v1::Value value;
  value.set_bool_value(flag);
  return value;
}

inline v1::Value Time(std::int64_t seconds, std::int32_t nanos) {
  v1::Value value;
  value.mutable_timestamp_value()->set_seconds(seconds);
  value.mutable_timestamp_value()->set_nanos(nanos);
  return value;
}

inline v1::Value List(const std::vector<v1::Value>& elements) {
  v1::Value value;
  value.mutable_list_value();  // an empty list is not null
  for (const v1::Value& element : elements) {
    *value.mutable_list_value()->add_values() = element;
  }
  return value;
}

inline v1::Column Column(const std::string& name, v1::ColumnType type,
                         bool list = false) {
  v1::Column column;
  column.set_name(name);
  column.set_type(type);
  column.set_list(list);
  return column;
}

inline v1::RequisitionSchema Schema(const std::vector<v1::Column>& columns) {
  v1::RequisitionSchema schema;
  for (const v1::Column& column : columns) *schema.add_columns() = column;
  return schema;
}

inline v1::Row Row(const std::vector<v1::Value>& cells) {
  v1::Row row;
  for (const v1::Value& cell : cells) *row.add_cells() = cell;
  return row;
}

}  // namespace leverconnect::row_testing

#endif  // LEVERCONNECT_TESTS_UNIT_TEST_VALUES_H_
