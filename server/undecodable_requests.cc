#include "server/undecodable_requests.h"

#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
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
  explicit UndecodableRequestInterceptorFactory(
      std::map<std::string, std::pair<std::string, std::string>> methods)
      : methods_(std::move(methods)) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    const auto found = methods_.find(info->method());
    if (found == methods_.end()) return nullptr;
    return new UndecodableRequestInterceptor(found->second.first,
                                             found->second.second);
  }

 private:
  // "/package.Service/Method" -> (method name, request type name).
  const std::map<std::string, std::pair<std::string, std::string>> methods_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeUndecodableRequestInterceptorFactory(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  std::map<std::string, std::pair<std::string, std::string>> methods;
  for (const google::protobuf::ServiceDescriptor* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      methods[absl::StrCat("/", service->full_name(), "/", method->name())] = {
          method->name(), method->input_type()->name()};
    }
  }
  return std::make_unique<UndecodableRequestInterceptorFactory>(
      std::move(methods));
}

}  // namespace leverconnect::server
