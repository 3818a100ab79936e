// Certificates made at test time with OpenSSL: a certificate authority
// that issues server and client certificates (ECDSA P-256, SHA-256, valid
// from an hour ago for a day). For TLS tests only: nothing here is meant
// to protect anything.
#ifndef LEVERCONNECT_TESTS_INTEGRATION_TEST_CERTIFICATES_H_
#define LEVERCONNECT_TESTS_INTEGRATION_TEST_CERTIFICATES_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace leverconnect::testing {

// A certificate and its private key, as PEM text.
struct IssuedCertificate {
  std::string certificate;
  std::string key;
};

class TestCertificateAuthority {
 public:
  // A self-signed authority named `common_name`.
  static absl::StatusOr<TestCertificateAuthority> Create(
      const std::string& common_name);

  TestCertificateAuthority(TestCertificateAuthority&&);
  TestCertificateAuthority& operator=(TestCertificateAuthority&&);
  ~TestCertificateAuthority();

  // The authority's own certificate, as PEM text.
  const std::string& certificate() const { return certificate_pem_; }

  // A server certificate for `dns_names` and `ip_addresses`.
  absl::StatusOr<IssuedCertificate> IssueServer(
      const std::string& common_name, const std::vector<std::string>& dns_names,
      const std::vector<std::string>& ip_addresses);

  // A client certificate whose subject is `common_name`.
  absl::StatusOr<IssuedCertificate> IssueClient(const std::string& common_name);

 private:
  struct Keys;
  // Extensions of an issued certificate: OpenSSL NID and value.
  using Extensions = std::vector<std::pair<int, std::string>>;

  explicit TestCertificateAuthority(std::unique_ptr<Keys> keys);

  // A certificate for a new key, signed by this authority, with
  // `extensions` besides CA:FALSE and the authority's key identifier.
  absl::StatusOr<IssuedCertificate> Issue(const std::string& common_name,
                                          const Extensions& extensions);

  std::unique_ptr<Keys> keys_;
  std::string certificate_pem_;
};

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_INTEGRATION_TEST_CERTIFICATES_H_
