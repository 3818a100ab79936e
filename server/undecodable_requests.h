// gRPC answers a request whose bytes do not decode as the method's request
// type with a bare status: INTERNAL for synchronous methods, UNIMPLEMENTED
// for callback ones, and no message either way. This interceptor turns
// those answers, on every method of one protobuf package (as the generated
// descriptor pool knows it), into INVALID_ARGUMENT naming the request type,
// and logs them.
#ifndef LEVERCONNECT_SERVER_UNDECODABLE_REQUESTS_H_
#define LEVERCONNECT_SERVER_UNDECODABLE_REQUESTS_H_

#include <memory>
#include <string>

#include "grpcpp/support/server_interceptor.h"

namespace leverconnect::server {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeUndecodableRequestInterceptorFactory(const std::string& package);

}  // namespace leverconnect::server

#endif  // LEVERCONNECT_SERVER_UNDECODABLE_REQUESTS_H_
