#include "tests/integration/test_certificates.h"

#include <atomic>
#include <utility>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace leverconnect::testing {
namespace {

constexpr long kValidFromSeconds = -3600;
constexpr long kValidForSeconds = 24 * 3600;

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertificateDeleter {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using KeyPointer = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using CertificatePointer = std::unique_ptr<X509, CertificateDeleter>;
using BioPointer = std::unique_ptr<BIO, BioDeleter>;

absl::Status OpenSslError(const char* what) {
  return absl::InternalError(absl::StrCat("OpenSSL failed to ", what));
}

KeyPointer NewKey() { return KeyPointer(EVP_EC_gen("P-256")); }

// The text a memory BIO holds.
std::string Drain(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

absl::StatusOr<std::string> CertificatePem(X509* certificate) {
  BioPointer bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1) {
    return OpenSslError("write a certificate");
  }
  return Drain(bio.get());
}

absl::StatusOr<std::string> KeyPem(EVP_PKEY* key) {
  BioPointer bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0,
                                       nullptr, nullptr) != 1) {
    return OpenSslError("write a private key");
  }
  return Drain(bio.get());
}

bool AddExtension(X509* certificate, X509* issuer, int nid,
                  const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension =
      X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) return false;
  const bool added = X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

// An unsigned certificate for `key`, named `common_name`, with a fresh
// serial number.
CertificatePointer NewCertificate(EVP_PKEY* key,
                                  const std::string& common_name) {
  static std::atomic<long> serial{1};
  CertificatePointer certificate(X509_new());
  if (!certificate) return nullptr;
  X509_NAME* subject = X509_get_subject_name(certificate.get());
  const bool made =
      X509_set_version(certificate.get(), 2) == 1 &&
      ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), serial++) ==
          1 &&
      X509_gmtime_adj(X509_getm_notBefore(certificate.get()),
                      kValidFromSeconds) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(certificate.get()),
                      kValidForSeconds) != nullptr &&
      X509_set_pubkey(certificate.get(), key) == 1 &&
      X509_NAME_add_entry_by_txt(
          subject, "CN", MBSTRING_ASC,
          reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
          0) == 1;
  return made ? std::move(certificate) : nullptr;
}

}  // namespace

struct TestCertificateAuthority::Keys {
  KeyPointer key;
  CertificatePointer certificate;
};

TestCertificateAuthority::TestCertificateAuthority(std::unique_ptr<Keys> keys)
    : keys_(std::move(keys)) {}
TestCertificateAuthority::TestCertificateAuthority(TestCertificateAuthority&&) =
    default;
TestCertificateAuthority& TestCertificateAuthority::operator=(
    TestCertificateAuthority&&) = default;
TestCertificateAuthority::~TestCertificateAuthority() = default;

absl::StatusOr<TestCertificateAuthority> TestCertificateAuthority::Create(
    const std::string& common_name) {
  auto keys = std::make_unique<Keys>();
  keys->key = NewKey();
  if (!keys->key) return OpenSslError("make a key");
  keys->certificate = NewCertificate(keys->key.get(), common_name);
  X509* certificate = keys->certificate.get();
  if (certificate == nullptr ||
      X509_set_issuer_name(certificate, X509_get_subject_name(certificate)) !=
          1 ||
      !AddExtension(certificate, certificate, NID_basic_constraints,
                    "critical,CA:TRUE") ||
      !AddExtension(certificate, certificate, NID_key_usage,
                    "critical,keyCertSign,cRLSign") ||
      !AddExtension(certificate, certificate, NID_subject_key_identifier,
                    "hash") ||
      X509_sign(certificate, keys->key.get(), EVP_sha256()) == 0) {
    return OpenSslError("make the authority's certificate");
  }
  absl::StatusOr<std::string> pem = CertificatePem(certificate);
  if (!pem.ok()) return pem.status();
  TestCertificateAuthority authority(std::move(keys));
  authority.certificate_pem_ = std::move(*pem);
  return authority;
}

absl::StatusOr<IssuedCertificate> TestCertificateAuthority::IssueServer(
    const std::string& common_name, const std::vector<std::string>& dns_names,
    const std::vector<std::string>& ip_addresses) {
  std::vector<std::string> names;
  for (const std::string& name : dns_names) names.push_back("DNS:" + name);
  for (const std::string& address : ip_addresses) {
    names.push_back("IP:" + address);
  }
  return Issue(common_name,
               {{NID_ext_key_usage, "serverAuth"},
                {NID_subject_alt_name, absl::StrJoin(names, ",")}});
}

absl::StatusOr<IssuedCertificate> TestCertificateAuthority::IssueClient(
    const std::string& common_name) {
  return Issue(common_name, {{NID_ext_key_usage, "clientAuth"}});
}

absl::StatusOr<IssuedCertificate> TestCertificateAuthority::Issue(
    const std::string& common_name, const Extensions& extensions) {
  KeyPointer key = NewKey();
  if (!key) return OpenSslError("make a key");
  CertificatePointer certificate = NewCertificate(key.get(), common_name);
  X509* issuer = keys_->certificate.get();
  bool made = certificate != nullptr &&
              X509_set_issuer_name(certificate.get(),
                                   X509_get_subject_name(issuer)) == 1 &&
              AddExtension(certificate.get(), issuer, NID_basic_constraints,
                           "critical,CA:FALSE") &&
              AddExtension(certificate.get(), issuer,
                           NID_authority_key_identifier, "keyid:always");
  for (const auto& [nid, value] : extensions) {
    made = made && AddExtension(certificate.get(), issuer, nid, value);
  }
  if (!made ||
      X509_sign(certificate.get(), keys_->key.get(), EVP_sha256()) == 0) {
    return OpenSslError("issue a certificate");
  }

  absl::StatusOr<std::string> certificate_pem =
      CertificatePem(certificate.get());
  if (!certificate_pem.ok()) return certificate_pem.status();
  absl::StatusOr<std::string> key_pem = KeyPem(key.get());
  if (!key_pem.ok()) return key_pem.status();
  return IssuedCertificate{std::move(*certificate_pem), std::move(*key_pem)};
}

}  // namespace leverconnect::testing
