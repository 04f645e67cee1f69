/**
 * The example environments under examples/<name>/config (as CI synthesizes them via ZENML_CONFIG_DIR):
 * workload manager options A and B, bring-your-own network/certificate/zone, and many workspaces on
 * one platform network.
 */
import * as path from "path";
import { loadEnvironments } from "../lib/config/load";
import { configFrom, only, policyDocument, resources, ROOT, shippedFile, StackJson, synthAll } from "./helpers";

const synthExample = (name: string) => synthAll(loadEnvironments(path.join(ROOT, "examples", name, "config")));

function serverEnv(stack: StackJson): Record<string, string> {
  const defs = JSON.parse(only(stack, "aws_ecs_task_definition").container_definitions);
  return Object.fromEntries(defs.find((c: any) => c.name === "zenml-server").environment.map((e: any) => [e.name, e.value]));
}

describe("workload manager", () => {
  const stacks = synthExample("workload-manager");

  test("Option A (aws-kubernetes): the guide's variables, wired to the created bucket and repository", () => {
    const env = serverEnv(stacks["snapshots-eks"]);
    const wm = Object.fromEntries(Object.entries(env).filter(([k]) => /WORKLOAD_MANAGER|TEMPLATE_RUNS/.test(k)));
    expect(wm).toEqual({
      ZENML_SERVER_WORKLOAD_MANAGER_IMPLEMENTATION_SOURCE: "zenml_cloud_plugins.aws_kubernetes_workload_manager.AWSKubernetesWorkloadManager",
      ZENML_KUBERNETES_WORKLOAD_MANAGER_NAMESPACE: "zenml-workload-manager",
      ZENML_KUBERNETES_WORKLOAD_MANAGER_SERVICE_ACCOUNT: "zenml-runner",
      ZENML_KUBERNETES_WORKLOAD_MANAGER_BUILD_RUNNER_IMAGE: "true",
      ZENML_KUBERNETES_WORKLOAD_MANAGER_DOCKER_REGISTRY: expect.stringMatching(/^\$\{aws_ecr_repository\.[^}]+\.repository_url\}$/),
      ZENML_KUBERNETES_WORKLOAD_MANAGER_ENABLE_EXTERNAL_LOGS: "true",
      ZENML_AWS_KUBERNETES_WORKLOAD_MANAGER_BUCKET: expect.stringMatching(/^\$\{aws_s3_bucket\.workload-manager_logs[^}]+\.bucket\}$/),
      ZENML_AWS_KUBERNETES_WORKLOAD_MANAGER_REGION: "eu-central-1",
      ZENML_SERVER_MAX_CONCURRENT_TEMPLATE_RUNS: "4",
      ZENML_KUBERNETES_WORKLOAD_MANAGER_POD_RESOURCES: '{"requests":{"cpu":"500m","memory":"512Mi"},"limits":{"cpu":"2000m","memory":"2Gi"}}',
    });
  });

  test("Option A: hardened log bucket, immutable scanned KMS repository, task-role policy scoped to them", () => {
    const stack = stacks["snapshots-eks"];
    const buckets = resources(stack, "aws_s3_bucket").map((b) => b.bucket);
    expect(buckets).toContain("zenml-snapshots-wm-logs-${data.aws_caller_identity.account.account_id}-eu-central-1");
    const repo = only(stack, "aws_ecr_repository");
    expect(repo).toMatchObject({ name: "zenml-snapshots-runner", image_tag_mutability: "IMMUTABLE", image_scanning_configuration: { scan_on_push: true } });
    expect(repo.encryption_configuration[0].encryption_type).toBe("KMS");

    const policy = resources(stack, "aws_iam_role_policy").find((p) => p.name === "workload-manager")!;
    expect(policy.role).toMatch(/aws_iam_role\.iam_task_[^.]+\.name/);
    const statements = Object.fromEntries(policyDocument(stack, policy.policy).statement.map((s: any) => [s.sid, s]));
    expect(statements.ReadWriteRunLogs.resources).toEqual([expect.stringMatching(/^\$\{aws_s3_bucket\.workload-manager_logs[^}]+\.arn\}\/\*$/)]);
    expect(statements.ListRunLogs.resources).toEqual([expect.stringMatching(/^\$\{aws_s3_bucket\.workload-manager_logs[^}]+\.arn\}$/)]);
    expect(statements.PushPullRunnerImages.resources).toEqual([expect.stringMatching(/^\$\{aws_ecr_repository\.[^}]+\.arn\}$/)]);
    expect(statements.DescribeRunnerCluster).toMatchObject({
      actions: ["eks:DescribeCluster"],
      resources: ["arn:aws:eks:eu-central-1:${data.aws_caller_identity.account.account_id}:cluster/ml-workloads"],
    });
    // The only "*" is ecr:GetAuthorizationToken, which has no resource-level permissions.
    const wildcard = Object.values(statements).filter((s: any) => s.resources.includes("*"));
    expect(wildcard.map((s: any) => s.actions)).toEqual([["ecr:GetAuthorizationToken"]]);
    expect(stack.output.runner_repository_url).toBeDefined();
  });

  test("Option B (kubernetes): its four variables with the prebuilt runner image, no AWS extras", () => {
    const stack = stacks["snapshots-k8s"];
    const env = serverEnv(stack);
    expect(Object.fromEntries(Object.entries(env).filter(([k]) => /WORKLOAD_MANAGER/.test(k)))).toEqual({
      ZENML_SERVER_WORKLOAD_MANAGER_IMPLEMENTATION_SOURCE: "zenml_cloud_plugins.kubernetes_workload_manager.KubernetesWorkloadManager",
      ZENML_KUBERNETES_WORKLOAD_MANAGER_NAMESPACE: "zenml-workload-manager",
      ZENML_KUBERNETES_WORKLOAD_MANAGER_SERVICE_ACCOUNT: "zenml-runner",
      ZENML_KUBERNETES_WORKLOAD_MANAGER_RUNNER_IMAGE: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/zenml-runner:0.84.3",
    });
    expect(stack.resource.aws_ecr_repository).toBeUndefined();
    expect(resources(stack, "aws_iam_role_policy").map((p) => p.name)).not.toContain("workload-manager");
  });
});

describe("bring your own network, certificate and zone", () => {
  const stack = synthExample("byo-network").byo;

  test("no network is created", () => {
    for (const type of ["aws_vpc", "aws_subnet", "aws_nat_gateway", "aws_eip", "aws_internet_gateway", "aws_route_table", "aws_flow_log", "aws_default_security_group"]) {
      expect(stack.resource[type]).toBeUndefined();
    }
  });

  test("existing subnets are checked at plan time (VPC and AZ) and used by the ALB, tasks and RDS", () => {
    const subnets = stack.data.aws_subnet;
    expect(Object.keys(subnets)).toHaveLength(4);
    for (const s of Object.values(subnets) as any[]) {
      expect(s.lifecycle.postcondition.map((p: any) => p.condition)).toEqual([
        '${self.vpc_id == "vpc-0a1b2c3d4e5f67890"}',
        expect.stringMatching(/^\$\{self\.availability_zone == "eu-central-1[ab]"\}$/),
      ]);
    }
    const ids = (ids: string[]) => ids.map((i) => subnets[/data\.aws_subnet\.([^.]+)\.id/.exec(i)![1]].id).sort();
    expect(ids(only(stack, "aws_lb").subnets)).toEqual(["subnet-0a000000000000001", "subnet-0a000000000000002"]);
    expect(ids(only(stack, "aws_ecs_service").network_configuration.subnets)).toEqual(["subnet-0b000000000000001", "subnet-0b000000000000002"]);
    expect(ids(only(stack, "aws_db_subnet_group").subnet_ids)).toEqual(["subnet-0b000000000000001", "subnet-0b000000000000002"]);
    for (const sg of resources(stack, "aws_security_group")) expect(sg.vpc_id).toBe("vpc-0a1b2c3d4e5f67890");
  });

  test("existing certificate (no ACM request) and an alias record in the existing zone", () => {
    expect(stack.resource.aws_acm_certificate).toBeUndefined();
    const https = resources(stack, "aws_lb_listener").find((l) => l.port === 443)!;
    expect(https.certificate_arn).toBe("arn:aws:acm:eu-central-1:123456789012:certificate/11111111-1111-1111-1111-111111111111");
    expect(only(stack, "aws_route53_record")).toMatchObject({ zone_id: "Z0987654321ZYXWVUTSRQ", name: "zenml.platform.mycompany.com", type: "A" });
  });
});

describe("many workspaces on one platform network", () => {
  const stacks = synthExample("multi-workspace");
  const workspaces = ["workspace-a", "workspace-b"];

  test("the platform stack owns the network; workspaces create none", () => {
    expect(resources(stacks.platform, "aws_vpc")).toHaveLength(1);
    expect(resources(stacks.platform, "aws_nat_gateway")).toHaveLength(2);
    for (const w of workspaces) expect(stacks[w].resource.aws_vpc).toBeUndefined();
  });

  test("workspaces read the platform's VPC and subnets through cross-stack references (remote state)", () => {
    for (const w of workspaces) {
      const remote = stacks[w].data.terraform_remote_state;
      expect(Object.values(remote)).toEqual([
        expect.objectContaining({ backend: "s3", config: expect.objectContaining({ bucket: "mycompany-zenml-tfstate", key: "zenml/platform.tfstate" }) }),
      ]);
      const sgs = resources(stacks[w], "aws_security_group");
      for (const sg of sgs) expect(sg.vpc_id).toMatch(/^\$\{data\.terraform_remote_state\.[^.]+\.outputs\.cross-stack-output-aws_vpcnetwork_vpc/);
      for (const id of only(stacks[w], "aws_lb").subnets) expect(id).toMatch(/outputs\.cross-stack-output-aws_subnetnetwork_public-/);
      for (const id of only(stacks[w], "aws_ecs_service").network_configuration.subnets) expect(id).toMatch(/outputs\.cross-stack-output-aws_subnetnetwork_private-/);
    }
  });

  test("each workspace has its own database, secret, service, ALB, DNS name and state key", () => {
    const get = (w: string) => ({
      db: only(stacks[w], "aws_db_instance").identifier,
      secrets: resources(stacks[w], "aws_secretsmanager_secret").map((x) => x.name).sort(),
      cluster: only(stacks[w], "aws_ecs_cluster").name,
      alb: only(stacks[w], "aws_lb").name,
      dns: resources(stacks[w], "aws_route53_record").find((r) => r.type === "A")!.name,
      key: stacks[w].terraform.backend.s3.key,
    });
    expect(get("workspace-a")).toEqual({
      db: "zenml-ws-a-db", secrets: ["zenml/team-a/pro/oauth2-client-secret", "zenml/zenml-ws-a/secrets-store-encryption-key", "zenml/zenml-ws-a/server-jwt-secret-key"], cluster: "zenml-ws-a", alb: "zenml-ws-a-alb",
      dns: "team-a.zenml.mycompany.com", key: "zenml/workspace-a.tfstate",
    });
    expect(get("workspace-b")).toEqual({
      db: "zenml-ws-b-db", secrets: ["zenml/team-b/pro/oauth2-client-secret", "zenml/zenml-ws-b/secrets-store-encryption-key", "zenml/zenml-ws-b/server-jwt-secret-key"], cluster: "zenml-ws-b", alb: "zenml-ws-b-alb",
      dns: "team-b.zenml.mycompany.com", key: "zenml/workspace-b.tfstate",
    });
  });
});

describe("other options", () => {
  const doc = shippedFile("prod");
  doc.loadBalancer = { webAclArn: "arn:aws:wafv2:eu-central-1:123456789012:regional/webacl/zenml/0000" };
  doc.state.kmsKeyId = "arn:aws:kms:eu-central-1:123456789012:key/00000000-0000-0000-0000-000000000000";
  const stack = synthAll([configFrom(doc, "prod")]).prod;

  test("loadBalancer.webAclArn associates the web ACL with the ALB (and the WAF finding is no longer suppressed)", () => {
    expect(only(stack, "aws_wafv2_web_acl_association")).toEqual({
      resource_arn: expect.stringMatching(/^\$\{aws_lb\.[^}]+\.arn\}$/),
      web_acl_arn: "arn:aws:wafv2:eu-central-1:123456789012:regional/webacl/zenml/0000",
    });
    expect(stack.raw).not.toContain("ZNALB10");
  });

  test("state.kmsKeyId encrypts state objects with that key", () => {
    expect(stack.terraform.backend.s3.kms_key_id).toBe("arn:aws:kms:eu-central-1:123456789012:key/00000000-0000-0000-0000-000000000000");
  });
});
