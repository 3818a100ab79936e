// The Kubernetes overlays as they would be applied: rendered offline by
// Debian's kubectl (kustomize built in), turned into JSON by the same
// kubectl (annotate --local), and checked object by object.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "rapidjson/pointer.h"

namespace leverconnect::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kKubectl = LEVERCONNECT_KUBECTL;
const std::string kDeployDir = LEVERCONNECT_DEPLOY_DIR;

// Standard output of `command`, or an error with its exit status.
absl::StatusOr<std::string> Run(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"),
                                             pclose);
  if (pipe == nullptr) return absl::InternalError("cannot run " + command);
  std::string output;
  char buffer[4096];
  std::size_t read;
  while ((read = fread(buffer, 1, sizeof(buffer), pipe.get())) > 0) {
    output.append(buffer, read);
  }
  const int status = pclose(pipe.release());
  if (status != 0) {
    return absl::InternalError(
        absl::StrCat(command, " exited with ", status, ": ", output));
  }
  return output;
}

// Every object of `overlay`, rendered. A List contributes its items.
absl::StatusOr<std::vector<std::shared_ptr<rapidjson::Document>>> Render(
    const std::string& overlay) {
  // No cluster is asked: KUBECONFIG points nowhere.
  const std::string command = absl::StrCat(
      "set -o pipefail; export KUBECONFIG=/dev/null; '", kKubectl,
      "' kustomize '", kDeployDir, "/k8s/overlays/", overlay, "' | '", kKubectl,
      "' annotate --local -f - -o json leverconnect-render-check-");
  absl::StatusOr<std::string> json =
      Run(absl::StrCat("bash -c \"", command, "\" 2>&1"));
  if (!json.ok()) return json.status();

  std::vector<std::shared_ptr<rapidjson::Document>> objects;
  rapidjson::StringStream stream(json->c_str());
  while (true) {
    while (absl::ascii_isspace(stream.Peek())) stream.Take();
    if (stream.Peek() == '\0') break;
    auto document = std::make_shared<rapidjson::Document>();
    document->ParseStream<rapidjson::kParseStopWhenDoneFlag>(stream);
    if (document->HasParseError() || !document->IsObject()) {
      return absl::InternalError("kubectl printed something other than JSON: " +
                                 json->substr(0, 500));
    }
    if ((*document)["kind"] == "List") {
      for (const rapidjson::Value& item : (*document)["items"].GetArray()) {
        auto copy = std::make_shared<rapidjson::Document>();
        copy->CopyFrom(item, copy->GetAllocator());
        objects.push_back(copy);
      }
    } else {
      objects.push_back(document);
    }
  }
  return objects;
}

const rapidjson::Value* At(const rapidjson::Value& value, const char* path) {
  return rapidjson::Pointer(path).Get(value);
}

std::string Text(const rapidjson::Value& value, const char* path) {
  const rapidjson::Value* found = At(value, path);
  return found != nullptr && found->IsString() ? found->GetString() : "";
}

bool IsTrue(const rapidjson::Value* value) {
  return value != nullptr && value->IsBool() && value->GetBool();
}

class ManifestTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    absl::StatusOr<std::vector<std::shared_ptr<rapidjson::Document>>> rendered =
        Render(GetParam());
    ASSERT_TRUE(rendered.ok())
        << rendered.status() << "\n(scripts/setup.sh unpacks kubectl)";
    objects_ = std::move(*rendered);
  }

  std::vector<const rapidjson::Value*> OfKind(const std::string& kind) const {
    std::vector<const rapidjson::Value*> found;
    for (const auto& object : objects_) {
      if (Text(*object, "/kind") == kind) found.push_back(object.get());
    }
    return found;
  }

  const rapidjson::Value& Server() const {
    const std::vector<const rapidjson::Value*> deployments =
        OfKind("Deployment");
    EXPECT_EQ(deployments.size(), 1u);
    return *deployments.front();
  }

  // The pod specs of the Deployment and of every CronJob.
  std::vector<const rapidjson::Value*> PodSpecs() const {
    std::vector<const rapidjson::Value*> specs;
    for (const rapidjson::Value* deployment : OfKind("Deployment")) {
      specs.push_back(At(*deployment, "/spec/template/spec"));
    }
    for (const rapidjson::Value* job : OfKind("CronJob")) {
      specs.push_back(At(*job, "/spec/jobTemplate/spec/template/spec"));
    }
    return specs;
  }

  // The server container's arguments.
  std::vector<std::string> ServerArgs() const {
    std::vector<std::string> args;
    const rapidjson::Value* values =
        At(Server(), "/spec/template/spec/containers/0/args");
    if (values == nullptr) return args;
    for (const rapidjson::Value& arg : values->GetArray()) {
      args.push_back(arg.GetString());
    }
    return args;
  }

  // The Secret a pod volume named `volume` of the server comes from.
  std::string SecretOfVolume(const std::string& volume) const {
    for (const rapidjson::Value& entry :
         At(Server(), "/spec/template/spec/volumes")->GetArray()) {
      if (Text(entry, "/name") == volume) {
        return Text(entry, "/secret/secretName");
      }
    }
    return "";
  }

  std::vector<std::shared_ptr<rapidjson::Document>> objects_;
};

TEST_P(ManifestTest, ServerProbesLivenessAndReadinessOverGrpc) {
  for (const rapidjson::Value& container :
       At(Server(), "/spec/template/spec/containers")->GetArray()) {
    SCOPED_TRACE(Text(container, "/name"));
    EXPECT_EQ(Text(container, "/livenessProbe/grpc/service"), "liveness");
    EXPECT_EQ(Text(container, "/readinessProbe/grpc/service"), "readiness");
    ASSERT_NE(At(container, "/readinessProbe/grpc/port"), nullptr);
    EXPECT_EQ(At(container, "/readinessProbe/grpc/port")->GetInt(), 50052);
    EXPECT_EQ(At(container, "/livenessProbe/grpc/port")->GetInt(), 50052);
  }
  EXPECT_THAT(ServerArgs(), Contains("--health-listen=0.0.0.0:50052"));
}

TEST_P(ManifestTest, EveryContainerRunsRestricted) {
  for (const rapidjson::Value* pod : PodSpecs()) {
    ASSERT_NE(pod, nullptr);
    EXPECT_TRUE(IsTrue(At(*pod, "/securityContext/runAsNonRoot")));
    EXPECT_EQ(Text(*pod, "/securityContext/seccompProfile/type"),
              "RuntimeDefault");
    for (const rapidjson::Value& container :
         At(*pod, "/containers")->GetArray()) {
      SCOPED_TRACE(Text(container, "/name"));
      const rapidjson::Value& context = container["securityContext"];
      EXPECT_TRUE(IsTrue(At(context, "/runAsNonRoot")));
      EXPECT_TRUE(IsTrue(At(context, "/readOnlyRootFilesystem")));
      const rapidjson::Value* escalation =
          At(context, "/allowPrivilegeEscalation");
      ASSERT_NE(escalation, nullptr);
      EXPECT_FALSE(escalation->GetBool());
      ASSERT_NE(At(context, "/capabilities/drop/0"), nullptr);
      EXPECT_EQ(Text(context, "/capabilities/drop/0"), "ALL");
      EXPECT_EQ(Text(context, "/seccompProfile/type"), "RuntimeDefault");
    }
  }
}

TEST_P(ManifestTest, EveryContainerRequestsResourcesAndLimitsMemory) {
  for (const rapidjson::Value* pod : PodSpecs()) {
    for (const rapidjson::Value& container :
         At(*pod, "/containers")->GetArray()) {
      SCOPED_TRACE(Text(container, "/name"));
      EXPECT_FALSE(Text(container, "/resources/requests/cpu").empty());
      EXPECT_FALSE(Text(container, "/resources/requests/memory").empty());
      EXPECT_FALSE(Text(container, "/resources/limits/memory").empty());
    }
  }
}

TEST_P(ManifestTest, SecretsAreMountedFilesNeverEnvironment) {
  EXPECT_EQ(SecretOfVolume("master-keyring"), "leverconnect-master-keyring");
  EXPECT_EQ(SecretOfVolume("principals"), "leverconnect-principals");
  EXPECT_EQ(SecretOfVolume("pigment"), "leverconnect-pigment");
  EXPECT_EQ(SecretOfVolume("tls"), "leverconnect-tls");
  EXPECT_THAT(ServerArgs(), Contains("--master-keyring-file=/etc/leverconnect/"
                                     "master/keyring"));
  EXPECT_THAT(ServerArgs(), Contains("--pigment-key-file=/etc/leverconnect/"
                                     "pigment/import-key"));
  for (const rapidjson::Value* pod : PodSpecs()) {
    for (const rapidjson::Value& container :
         At(*pod, "/containers")->GetArray()) {
      const rapidjson::Value* env = At(container, "/env");
      if (env != nullptr) {
        for (const rapidjson::Value& variable : env->GetArray()) {
          EXPECT_EQ(At(variable, "/valueFrom/secretKeyRef"), nullptr)
              << Text(variable, "/name");
        }
      }
      const rapidjson::Value* sources = At(container, "/envFrom");
      if (sources == nullptr) continue;
      for (const rapidjson::Value& source : sources->GetArray()) {
        EXPECT_EQ(At(source, "/secretRef"), nullptr);
      }
    }
  }
  // The example Secrets are created by hand, never rendered from here.
  EXPECT_TRUE(OfKind("Secret").empty());
}

TEST_P(ManifestTest, NoConfigMapHoldsASecret) {
  const std::vector<const rapidjson::Value*> maps = OfKind("ConfigMap");
  ASSERT_FALSE(maps.empty());
  for (const rapidjson::Value* map : maps) {
    for (const auto& entry : (*map)["data"].GetObject()) {
      const std::string key = absl::AsciiStrToLower(entry.name.GetString());
      const std::string value = absl::AsciiStrToLower(entry.value.GetString());
      SCOPED_TRACE(key);
      for (const char* word : {"token", "password", "secret", "bearer"}) {
        EXPECT_THAT(key + "=" + value, Not(HasSubstr(word)));
      }
      EXPECT_THAT(key, Not(HasSubstr("key")));
      EXPECT_THAT(value, Not(HasSubstr("key=")));
      EXPECT_THAT(value, Not(HasSubstr("-----begin")));
      // Credentials in a URL (scheme://user:password@host).
      const std::size_t at = value.find('@');
      EXPECT_FALSE(absl::StrContains(value, "://") && at != std::string::npos)
          << value;
      // Key material: a long run of hex digits or base64.
      std::size_t run = 0;
      std::size_t longest = 0;
      for (char c : value) {
        run = absl::ascii_isalnum(c) || c == '+' || c == '/' ? run + 1 : 0;
        longest = std::max(longest, run);
      }
      EXPECT_LT(longest, 32u) << value;
    }
  }
}

TEST_P(ManifestTest, PodGraceOutlastsTheServersShutdownGrace) {
  const rapidjson::Value* settings = nullptr;
  for (const rapidjson::Value* map : OfKind("ConfigMap")) {
    if (absl::StartsWith(Text(*map, "/metadata/name"),
                         "leverconnect-settings")) {
      settings = map;
    }
  }
  ASSERT_NE(settings, nullptr);
  EXPECT_EQ(Text(Server(),
                 "/spec/template/spec/containers/0/envFrom/0/configMapRef/"
                 "name"),
            Text(*settings, "/metadata/name"));
  EXPECT_THAT(ServerArgs(), Contains("--shutdown-grace=$(SHUTDOWN_GRACE)"));
  absl::Duration grace;
  ASSERT_TRUE(
      absl::ParseDuration(Text(*settings, "/data/SHUTDOWN_GRACE"), &grace));
  const rapidjson::Value* pod_grace =
      At(Server(), "/spec/template/spec/terminationGracePeriodSeconds");
  ASSERT_NE(pod_grace, nullptr);
  EXPECT_GT(absl::Seconds(pod_grace->GetInt()), grace + absl::Seconds(5));
}

TEST_P(ManifestTest, WritableFoldersAreVolumes) {
  std::vector<std::string> mounts;
  for (const rapidjson::Value& mount :
       At(Server(), "/spec/template/spec/containers/0/volumeMounts")
           ->GetArray()) {
    mounts.push_back(Text(mount, "/mountPath"));
  }
  EXPECT_THAT(mounts, Contains("/tmp"));
  EXPECT_THAT(mounts, Contains("/var/lib/leverconnect"));
  EXPECT_THAT(ServerArgs(), Contains("--state-dir=/var/lib/leverconnect"));
}

TEST_P(ManifestTest, ScheduledImportWaitsWithATokenFile) {
  const std::vector<const rapidjson::Value*> jobs = OfKind("CronJob");
  ASSERT_EQ(jobs.size(), 1u);
  std::vector<std::string> args;
  for (const rapidjson::Value& arg :
       At(*jobs[0], "/spec/jobTemplate/spec/template/spec/containers/0/args")
           ->GetArray()) {
    args.push_back(arg.GetString());
  }
  EXPECT_THAT(args, Contains("--token-file=/etc/leverconnect/token/token"));
  EXPECT_THAT(args, Contains("start"));
  EXPECT_THAT(args, Contains("--wait"));
}

INSTANTIATE_TEST_SUITE_P(Overlays, ManifestTest,
                         ::testing::Values("single", "ha"));

class SingleOverlayTest : public ManifestTest {};

TEST_P(SingleOverlayTest, OneReplicaRecreatedOnItsOwnVolume) {
  EXPECT_EQ(At(Server(), "/spec/replicas")->GetInt(), 1);
  EXPECT_EQ(Text(Server(), "/spec/strategy/type"), "Recreate");
  bool state_on_claim = false;
  for (const rapidjson::Value& volume :
       At(Server(), "/spec/template/spec/volumes")->GetArray()) {
    if (Text(volume, "/name") != "state") continue;
    state_on_claim = Text(volume, "/persistentVolumeClaim/claimName") ==
                         "leverconnect-state" &&
                     At(volume, "/emptyDir") == nullptr;
  }
  EXPECT_TRUE(state_on_claim);
  ASSERT_EQ(OfKind("PersistentVolumeClaim").size(), 1u);
  for (const std::string& arg : ServerArgs()) {
    EXPECT_THAT(arg, Not(HasSubstr("--database")));
  }
}

INSTANTIATE_TEST_SUITE_P(Single, SingleOverlayTest,
                         ::testing::Values("single"));

class HaOverlayTest : public ManifestTest {};

TEST_P(HaOverlayTest, ThreeReplicasOnPostgresqlFromASecretFile) {
  EXPECT_EQ(At(Server(), "/spec/replicas")->GetInt(), 3);
  EXPECT_EQ(Text(Server(), "/spec/strategy/type"), "RollingUpdate");
  EXPECT_THAT(ServerArgs(),
              Contains("--database-url-file=/etc/leverconnect/database/url"));
  EXPECT_EQ(SecretOfVolume("database"), "leverconnect-database");
  EXPECT_TRUE(OfKind("PersistentVolumeClaim").empty());
}

TEST_P(HaOverlayTest, DisruptionBudgetKeepsMostReplicas) {
  const std::vector<const rapidjson::Value*> budgets =
      OfKind("PodDisruptionBudget");
  ASSERT_EQ(budgets.size(), 1u);
  const int min_available = At(*budgets[0], "/spec/minAvailable")->GetInt();
  EXPECT_GE(min_available, 1);
  EXPECT_LT(min_available, At(Server(), "/spec/replicas")->GetInt());
  EXPECT_EQ(Text(*budgets[0],
                 "/spec/selector/matchLabels/"
                 "app.kubernetes.io~1component"),
            "server");
}

TEST_P(HaOverlayTest, HeadlessServiceAndNetworkPolicy) {
  bool headless = false;
  for (const rapidjson::Value* service : OfKind("Service")) {
    if (Text(*service, "/spec/clusterIP") == "None") headless = true;
  }
  EXPECT_TRUE(headless);
  const std::vector<const rapidjson::Value*> policies = OfKind("NetworkPolicy");
  ASSERT_EQ(policies.size(), 1u);
  EXPECT_EQ(Text(*policies[0],
                 "/spec/podSelector/matchLabels/"
                 "app.kubernetes.io~1component"),
            "server");
  EXPECT_EQ(Text(*policies[0], "/spec/policyTypes/1"), "Egress");
}

INSTANTIATE_TEST_SUITE_P(Ha, HaOverlayTest, ::testing::Values("ha"));

}  // namespace
}  // namespace leverconnect::testing
