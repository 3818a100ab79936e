// What the fake Lever's write endpoints do to a requisition: check a POST
// or PUT body as Lever would, make the stored record (the read shape of
// GET /v1/requisitions) and the answer (Lever's write shape, which differs:
// creatorUserId, ownerUserId, postingIds, stateHistory, no approval).
// Pure functions; LeverEndpoints keeps the records.
#ifndef LEVERCONNECT_TESTS_FAKES_REQUISITION_WRITES_H_
#define LEVERCONNECT_TESTS_FAKES_REQUISITION_WRITES_H_

#include <cstdint>
#include <optional>
#include <string>

#include <rapidjson/document.h>

namespace leverconnect::testing {

// Why Lever would refuse `body` (400), or nullopt: it must be an object
// with a non-empty string "name", and each writable member it has must be
// of its type (headcountTotal an integer from 0 or "unlimited", backfill a
// boolean, text members text or null, customFields and compensationBand
// objects, postingIds a list of ids, timeToFill* integers or null).
std::optional<std::string> RequisitionBodyProblem(const rapidjson::Value& body);

// The record of a requisition created by `body` at `now_ms` with `id`:
// every read member, defaults where the body says nothing, status "open"
// unless the body names one, or "draft" when `draft` (Lever's hybrid mode:
// requisitions from the API wait for approval in Lever).
rapidjson::Document CreatedRecord(const rapidjson::Value& body,
                                  const std::string& id, std::int64_t now_ms,
                                  bool draft);

// `current` after PUT `body` at `now_ms`: a full replace, so every
// writable member the body leaves out is cleared (null, or empty for
// customFields, postings, internalNotes, and false for backfill); id,
// createdAt and the members Lever computes stay.
rapidjson::Document ReplacedRecord(const rapidjson::Value& current,
                                   const rapidjson::Value& body,
                                   std::int64_t now_ms);

// `current` with the members of `patch` set over it and updatedAt
// `now_ms`: an edit made in Lever itself.
rapidjson::Document EditedRecord(const rapidjson::Value& current,
                                 const rapidjson::Value& patch,
                                 std::int64_t now_ms);

// The answer to a write of `record`: {"data": {...}} in the write shape.
std::string WriteAnswer(const rapidjson::Value& record);

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_REQUISITION_WRITES_H_
