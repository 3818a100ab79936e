#ifndef LEVERCONNECT_CLIENT_MESSAGE_ARENA_H_
#define LEVERCONNECT_CLIENT_MESSAGE_ARENA_H_

#include <cstddef>
#include <memory>

#include <google/protobuf/arena.h>

namespace leverconnect::client {

// A protobuf arena for one message at a time, whose first block is kept
// from message to message: a batch of rows fits in it, so decoding one
// allocates nothing but the text of its longer strings. The client decodes
// every streamed message onto one.
class MessageArena {
 public:
  MessageArena()
      : block_(new char[kBlockBytes]), arena_(Options(block_.get())) {}
  MessageArena(const MessageArena&) = delete;
  MessageArena& operator=(const MessageArena&) = delete;

  // A new message on the arena, after releasing the previous one.
  template <typename Message>
  Message* Fresh() {
    arena_.Reset();
    return google::protobuf::Arena::CreateMessage<Message>(&arena_);
  }

 private:
  static constexpr std::size_t kBlockBytes = 1 << 20;

  static google::protobuf::ArenaOptions Options(char* block) {
    google::protobuf::ArenaOptions options;
    options.initial_block = block;
    options.initial_block_size = kBlockBytes;
    options.max_block_size = kBlockBytes;
    return options;
  }

  std::unique_ptr<char[]> block_;
  google::protobuf::Arena arena_;
};

}  // namespace leverconnect::client

#endif  // LEVERCONNECT_CLIENT_MESSAGE_ARENA_H_
