// Well-formed UTF-8 by Unicode's table 3-7, and the repair of text that is
// not.
#include "lib/text/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace leverconnect::text {
namespace {

struct Case {
  const char* name;
  std::string text;
  bool valid;
  std::string repaired;  // when not valid
};

TEST(Utf8TextTest, ChecksAndRepairsByUnicodesTable) {
  const std::string r = "\xEF\xBF\xBD";  // U+FFFD
  const Case cases[] = {
      {"empty", "", true, ""},
      {"ASCII longer than a word", "Senior Software Engineer, Paris", true, ""},
      {"two, three and four bytes", "\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
       true, ""},
      {"the extremes",
       std::string("\x00", 1) + "\x7F\xC2\x80\xEF\xBF\xBF"
                                "\xF4\x8F\xBF\xBF",
       true, ""},
      {"a stray continuation byte",
       "ab\x80"
       "cd",
       false, "ab" + r + "cd"},
      {"a lead byte cut by the end", "abcdefgh\xE2\x82", false,
       "abcdefgh" + r + r},
      {"an overlong slash", "\xC0\xAF", false, r + r},
      {"an overlong three-byte form", "\xE0\x80\xAF", false, r + r + r},
      {"a surrogate", "\xED\xA0\x80", false, r + r + r},
      {"above U+10FFFF", "\xF4\x90\x80\x80", false, r + r + r + r},
      {"a byte that never starts one", "x\xFFy", false, "x" + r + "y"},
      {"bad after a long ASCII run", "0123456789abcdef\xC3(", false,
       "0123456789abcdef" + r + "("},
      {"bad after 64-byte blocks",
       std::string(130, 'a') + "\xFF" + std::string(70, 'b'), false,
       std::string(130, 'a') + r + std::string(70, 'b')},
      {"good between 64-byte blocks",
       std::string(64, 'a') + "\xC3\xA9" + std::string(64, 'b'), true, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(IsUtf8(c.text), c.valid);
    EXPECT_EQ(RepairedUtf8(c.text), c.valid ? c.text : c.repaired);
    EXPECT_TRUE(IsUtf8(RepairedUtf8(c.text)));
  }
}

}  // namespace
}  // namespace leverconnect::text
