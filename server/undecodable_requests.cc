#include "server/undecodable_requests.h"

#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "lib/log/log.h"

namespace leverconnect::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

// Whether `status` is what gRPC sends for a request that did not decode;
// the services themselves never fail without a message.
bool IsBareDecodeFailure(const grpc::Status& status) {
  return status.error_message().empty() &&
         (status.error_code() == grpc::StatusCode::INTERNAL ||
          status.error_code() == grpc::StatusCode::UNIMPLEMENTED);
}

class UndecodableRequestInterceptor : public grpc::experimental::Interceptor {
 public:
  UndecodableRequestInterceptor(std::string method, std::string request_type)
      : method_(std::move(method)), request_type_(std::move(request_type)) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS) &&
        IsBareDecodeFailure(methods->GetSendStatus())) {
      const std::string message =
          absl::StrCat("the request is not an encoded ", request_type_,
                       ": it is truncated or malformed, or holds a string "
                       "that is not UTF-8");
      log::Log(log::Severity::kWarning, "rpc finished",
               {{"method", method_},
                {"code", "INVALID_ARGUMENT"},
                {"detail", message}});
      methods->ModifySendStatus(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message));
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
  const std::string request_type_;
};

class UndecodableRequestInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit UndecodableRequestInterceptorFactory(std::string package)
      : prefix_(absl::StrCat("/", package, ".")) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    // "/package.Service/Method", whose descriptor is "package.Service.Method".
    const absl::string_view path = info->method();
    if (!absl::StartsWith(path, prefix_)) return nullptr;
    const google::protobuf::MethodDescriptor* method =
        google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
            absl::StrReplaceAll(path.substr(1), {{"/", "."}}));
    if (method == nullptr) return nullptr;
    return new UndecodableRequestInterceptor(method->name(),
                                             method->input_type()->name());
  }

 private:
  const std::string prefix_;  // "/package."
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeUndecodableRequestInterceptorFactory(const std::string& package) {
  return std::make_unique<UndecodableRequestInterceptorFactory>(package);
}

}  // namespace leverconnect::server
