/**
 * `npm run diagram`: the architecture graph drawn from the synthesized JSON (nodes, grouping,
 * security-group edges with ports), its DOT and Mermaid text, the SVG, and the command line.
 */
import * as fs from "fs";
import * as path from "path";
import { TfStack } from "../scripts/common/tf-json";
import { writeDiagrams } from "../scripts/diagram";
import { Diagram, DiagramNode, buildDiagram } from "../scripts/diagram/model";
import { edgesBetween, renderSvg, toDot, toMermaid } from "../scripts/diagram/render";
import { loadEnvironments } from "../lib/config/load";
import { EnvironmentConfig } from "../lib/config/schema";
import { CONFIG_DIR, StackJson, synthShipped, tempDir } from "./helpers";

const shipped = synthShipped();
/** The server port of each shipped environment (service.containerPort): the diagram draws what the JSON holds. */
const appPort = Object.fromEntries(loadEnvironments(CONFIG_DIR).map((c) => [c.envName, (c as EnvironmentConfig).service.containerPort]));
const asStack = (name: string, s: StackJson | object): TfStack => ({ name, file: "(memory)", json: JSON.parse("raw" in s ? (s as StackJson).raw : JSON.stringify(s)) });
const count = (s: StackJson, type: string) => Object.keys(s.resource[type] ?? {}).length;

const prod = buildDiagram(asStack("prod", shipped.prod));
const dev = buildDiagram(asStack("dev", shipped.dev));
const prodDot = toDot(prod);
const prodMermaid = toMermaid(prod);

const byRole = (d: Diagram, role: string) => d.nodes.filter((n) => n.role === role);
const one = (d: Diagram, role: string): DiagramNode => {
  const found = byRole(d, role);
  if (found.length !== 1) throw new Error(`expected one ${role} node, found ${found.length}`);
  return found[0];
};
/** Cluster kinds from the node up to the top. */
const ancestry = (d: Diagram, node: DiagramNode): string[] => {
  const kinds: string[] = [];
  let id = node.cluster;
  while (id) {
    const c = d.clusters.find((x) => x.id === id);
    if (!c) break;
    kinds.push(c.kind);
    id = c.parent;
  }
  return kinds;
};
const sgLabel = (d: Diagram, from: string, to: string) => edgesBetween(d, from, to, "sg").map((e) => e.label);

describe("prod diagram: nodes", () => {
  test("the reviewer-relevant resources each have a node", () => {
    for (const role of ["alb", "target-group", "ecs-service", "task-definition", "rds", "igw", "secrets", "kms", "alarms", "sns", "s3", "certificate", "dns-record", "iam"]) {
      expect(byRole(prod, role).length).toBeGreaterThanOrEqual(1);
    }
    expect(byRole(prod, "listener")).toHaveLength(count(shipped.prod, "aws_lb_listener"));
    expect(byRole(prod, "log-group")).toHaveLength(count(shipped.prod, "aws_cloudwatch_log_group"));
    expect(one(prod, "ecs-service").title).toContain("zenml-server");
    expect(one(prod, "rds").details.join(" ")).toContain("Multi-AZ");
  });

  test("one NAT node per NAT gateway (2 in prod, 1 in dev), each with its AZ", () => {
    expect(count(shipped.prod, "aws_nat_gateway")).toBe(2);
    expect(byRole(prod, "nat")).toHaveLength(2);
    expect(byRole(prod, "nat").map((n) => n.title).sort()).toEqual(["NAT gateway (AZ 1)", "NAT gateway (AZ 2)"]);
    expect(byRole(dev, "nat")).toHaveLength(count(shipped.dev, "aws_nat_gateway"));
    expect((prodDot.match(/NAT gateway \(AZ \d\)/g) ?? []).length).toBe(2);
  });

  test("the ZenML Cloud control plane is an external node reached through the egress rule", () => {
    const cloud = one(prod, "zenml-cloud");
    expect(cloud.cluster).toBeUndefined();
    expect(cloud.details).toContain("cloudapi.zenml.io");
    expect(prod.edges.some((e) => e.to === cloud.id && prod.nodes.find((n) => n.id === e.from)?.role === "cidr-egress")).toBe(true);
  });

  test("noise is collapsed: alarms into one node, no node for routes, IAM documents or bucket settings", () => {
    const alarms = one(prod, "alarms");
    expect(alarms.title).toBe(`${count(shipped.prod, "aws_cloudwatch_metric_alarm")} CloudWatch alarms`);
    // The dashboard (the alarms' states on one page) is drawn with them.
    expect(alarms.addresses).toHaveLength(count(shipped.prod, "aws_cloudwatch_metric_alarm") + 1);
    expect(alarms.details).toContain("1 dashboard");
    // Alarms on log metric filters (by name or by reference to the filter) count as "logs", never as a raw reference.
    expect(alarms.details.join(" ")).not.toContain("${");
    expect(alarms.details[0]).toMatch(/logs 3/);
    const roles = prod.nodes.map((n) => n.role);
    for (const noisy of ["aws_route_table", "aws_route", "aws_route_table_association", "aws_iam_role_policy", "aws_s3_bucket_versioning", "aws_kms_alias", "aws_db_subnet_group"]) {
      expect(roles).not.toContain(noisy);
    }
    expect(one(prod, "iam").title).toBe(`IAM (${count(shipped.prod, "aws_iam_role")} roles)`);
    expect(prod.nodes.length).toBeLessThan(35);
    expect(prod.collapsedCount).toBeGreaterThan(prod.resourceCount / 2);
  });

  test("grouping: VPC > public tier (ALB, NAT) and private tier (ECS, RDS)", () => {
    expect(ancestry(prod, one(prod, "alb"))).toEqual(["public", "vpc", "region"]);
    for (const nat of byRole(prod, "nat")) expect(ancestry(prod, nat)).toEqual(["public", "vpc", "region"]);
    expect(ancestry(prod, one(prod, "ecs-service"))).toEqual(["ecs", "private", "vpc", "region"]);
    expect(ancestry(prod, one(prod, "rds"))).toEqual(["private", "vpc", "region"]);
    const vpc = prod.clusters.find((c) => c.kind === "vpc")!;
    expect(vpc.title).toBe("VPC 10.0.0.0/16");
    const publicTier = prod.clusters.find((c) => c.kind === "public")!;
    expect(publicTier.details).toEqual(["10.0.0.0/20 (AZ 1)", "10.0.16.0/20 (AZ 2)"]);
  });
});

describe("prod diagram: security-group rules as labelled edges", () => {
  test("Internet → ALB: tcp 80, 443; ALB → ECS: tcp <service.containerPort>; ECS → RDS: tcp 3306; ECS → 0.0.0.0/0: tcp 443", () => {
    expect(sgLabel(prod, "cidr-ingress", "alb")).toEqual(["tcp 80, 443"]);
    expect(sgLabel(prod, "alb", "ecs-service")).toEqual([`tcp ${appPort.prod}`]);
    expect(sgLabel(prod, "ecs-service", "rds")).toEqual(["tcp 3306"]);
    expect(sgLabel(prod, "ecs-service", "cidr-egress")).toEqual(["tcp 443"]);
    expect(one(prod, "cidr-egress").details).toEqual(["0.0.0.0/0 via NAT"]);
  });

  test("nothing else is open: exactly these four SG edges, and no way into RDS but from ECS", () => {
    expect(prod.edges.filter((e) => e.kind === "sg")).toHaveLength(4);
    const intoRds = prod.edges.filter((e) => e.kind === "sg" && e.to === one(prod, "rds").id);
    expect(intoRds.map((e) => e.from)).toEqual([one(prod, "ecs-service").id]);
  });

  test("every port of every aws_security_group_rule appears on an SG edge", () => {
    const labels = prod.edges.filter((e) => e.kind === "sg").map((e) => e.label).join(" ");
    for (const rule of Object.values(shipped.prod.resource.aws_security_group_rule)) {
      expect(labels).toContain(String(rule.from_port));
    }
  });

  test("the Mermaid text has the edges with their ports", () => {
    const alb = one(prod, "alb").id;
    const svc = one(prod, "ecs-service").id;
    const rds = one(prod, "rds").id;
    expect(prodMermaid).toContain(`${alb} ==>|"tcp ${appPort.prod}"| ${svc}`);
    expect(prodMermaid).toContain(`${svc} ==>|"tcp 3306"| ${rds}`);
    expect(prodMermaid).toMatch(/^flowchart TB$/m);
    expect(prodMermaid).toContain(`subgraph ${prod.clusters.find((c) => c.kind === "public")!.id}[`);
    expect((prodMermaid.match(/^\s*subgraph /gm) ?? []).length).toBe((prodMermaid.match(/^\s*end$/gm) ?? []).length);
    expect((prodMermaid.match(/NAT gateway \(AZ \d\)/g) ?? []).length).toBe(2);
  });

  test("the DOT has the edges with their ports, groups as clusters", () => {
    const alb = one(prod, "alb").id;
    const svc = one(prod, "ecs-service").id;
    const rds = one(prod, "rds").id;
    expect(prodDot).toMatch(new RegExp(`"${alb}" -> "${svc}" \\[[^\\]]*tcp ${appPort.prod}`));
    expect(prodDot).toMatch(new RegExp(`"${svc}" -> "${rds}" \\[[^\\]]*tcp 3306`));
    expect(prodDot).toContain('subgraph "cluster_c_vpc_');
  });
});

describe("dev diagram", () => {
  test("external DNS and an existing certificate are drawn as such", () => {
    expect(one(dev, "dns-external").details[0]).toBe("zenml-dev.mycompany.com CNAME → ALB");
    expect(one(dev, "certificate").title).toBe("ACM certificate (existing)");
    expect(byRole(dev, "dns-record")).toHaveLength(0);
    expect(sgLabel(dev, "alb", "ecs-service")).toEqual([`tcp ${appPort.dev}`]);
  });
});

describe("works from whatever the JSON holds", () => {
  test("an existing network (subnet IDs, no VPC resources) still gives public and private tiers", () => {
    const json = JSON.parse(shipped.prod.raw);
    for (const t of ["aws_vpc", "aws_subnet", "aws_route", "aws_route_table", "aws_route_table_association", "aws_nat_gateway", "aws_eip", "aws_internet_gateway", "aws_flow_log", "aws_default_security_group"]) {
      delete json.resource[t];
    }
    let text = JSON.stringify(json);
    text = text.replace(/\$\{aws_subnet\.network_(public|private)-(\d)_[A-Z0-9]+\.id\}/g, "subnet-$1$2");
    text = text.replace(/\$\{aws_vpc\.network_vpc_[A-Z0-9]+\.id\}/g, "vpc-0123456789");
    const d = buildDiagram(asStack("byo", JSON.parse(text)));
    expect(ancestry(d, one(d, "alb"))).toEqual(["public", "vpc", "region"]);
    expect(ancestry(d, one(d, "rds"))).toEqual(["private", "vpc", "region"]);
    expect(d.clusters.find((c) => c.kind === "vpc")!.title).toBe("VPC vpc-0123456789 (existing)");
    expect(d.clusters.find((c) => c.kind === "public")!.details).toEqual(["subnet-public0", "subnet-public1"]);
    expect(byRole(d, "nat")).toHaveLength(0);
    expect(sgLabel(d, "ecs-service", "rds")).toEqual(["tcp 3306"]);
  });

  test("resource types the diagram does not know appear as generic nodes with their references", () => {
    const json = JSON.parse(shipped.dev.raw);
    json.resource.aws_ecr_repository = { runner_ABC: { name: "zenml-runner", image_tag_mutability: "IMMUTABLE" } };
    json.resource.aws_sqs_queue = { jobs_DEF: { name: "jobs", kms_master_key_id: "${aws_ecr_repository.runner_ABC.arn}" } };
    const d = buildDiagram(asStack("extra", json));
    const ecr = one(d, "aws_ecr_repository");
    const sqs = one(d, "aws_sqs_queue");
    expect(ecr.title).toBe("ecr repository zenml-runner");
    expect(d.edges.some((e) => e.from === sqs.id && e.to === ecr.id)).toBe(true);
  });

  test("the state bootstrap stack: one box per bucket, no VPC, no security-group edge", () => {
    const d = buildDiagram(asStack("state-bootstrap", shipped["state-bootstrap"]));
    expect(byRole(d, "s3")).toHaveLength(count(shipped["state-bootstrap"], "aws_s3_bucket"));
    expect(d.clusters.some((c) => c.kind === "vpc")).toBe(false);
    expect(d.edges.filter((e) => e.kind === "sg")).toHaveLength(0);
  });
});

describe("rendering and command line", () => {
  test("the SVG is produced by Graphviz and shows the labels", async () => {
    const svg = await renderSvg(prodDot);
    expect(svg.startsWith("<?xml") || svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("<svg");
    expect(svg).toContain(`tcp ${appPort.prod}`);
    expect(svg).toContain("tcp 3306");
    expect(svg).toContain("ZenML Cloud control plane");
    expect(svg).not.toContain('font-family="Helvetica,sans-Serif"');
  });

  test("npm run diagram -- --out <dir> <cdktf out dir> writes svg, mmd and dot per stack", async () => {
    const dir = tempDir("diagram-");
    try {
      for (const [name, s] of Object.entries(shipped)) {
        fs.mkdirSync(path.join(dir, "synth", "stacks", name), { recursive: true });
        fs.writeFileSync(path.join(dir, "synth", "stacks", name, "cdk.tf.json"), s.raw);
      }
      const log: string[] = [];
      const written = await writeDiagrams(["--out", path.join(dir, "out"), "--stack", "dev,prod", path.join(dir, "synth")], (m) => log.push(m));
      expect(written.map((f) => path.basename(f)).sort()).toEqual(["dev.dot", "dev.mmd", "dev.svg", "prod.dot", "prod.mmd", "prod.svg"]);
      expect(fs.readFileSync(path.join(dir, "out", "prod.svg"), "utf8")).toMatch(/^(<\?xml|<svg)/);
      expect(fs.readFileSync(path.join(dir, "out", "prod.mmd"), "utf8")).toContain("flowchart TB");
      expect(log.join("\n")).toMatch(/prod: \d+ resources → \d+ boxes, 4 security-group edges/);
      // Without --out: beside the stacks, in <outdir>/diagrams.
      await writeDiagrams([path.join(dir, "synth", "stacks", "dev", "cdk.tf.json")], () => undefined);
      expect(fs.existsSync(path.join(dir, "synth", "diagrams", "dev.svg"))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
