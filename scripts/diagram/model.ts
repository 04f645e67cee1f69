/**
 * Builds a reviewer-sized architecture graph from one synthesized stack: the resources in the
 * Terraform JSON and the `${aws_x.name.attr}` references between them. Noise (route tables, IAM
 * policy documents, bucket sub-resources, individual alarms, ...) is folded into the node it belongs
 * to; security-group rules become labelled edges between the members of the groups. Resource types
 * this file does not know still appear, as generic nodes, so new modules show up without changes here.
 *
 * The graph is renderer-neutral: ./render.ts turns it into Graphviz DOT (→ SVG) and Mermaid text.
 */
import {
  TfResource,
  TfStack,
  allResources,
  containerDefinitions,
  num,
  referencesIn,
  resolveCidr,
  stackRegion,
} from "../common/tf-json";

/** Colour family of a node. */
export type NodeKind =
  | "external"
  | "network"
  | "lb"
  | "compute"
  | "database"
  | "security"
  | "observability"
  | "storage"
  | "dns"
  | "other";

/** A drawn box. */
export interface DiagramNode {
  readonly id: string;
  /** First, bold line. */
  title: string;
  /** Further lines. */
  details: string[];
  readonly kind: NodeKind;
  /** What it is, for tests and edge rules: `alb`, `listener`, `target-group`, `nat`, `ecs-service`, ... */
  readonly role: string;
  /** Cluster it sits in (undefined: top level). */
  cluster?: string;
  /** Terraform addresses drawn by this node (its own resource and the folded ones). */
  readonly addresses: string[];
  /** Graphviz shape hint. */
  shape?: "box" | "cylinder" | "ellipse" | "cloud" | "note";
}

/** A group box (VPC, subnet tier, ECS cluster, region). */
export interface DiagramCluster {
  readonly id: string;
  title: string;
  details: string[];
  readonly kind: "region" | "vpc" | "public" | "private" | "tier" | "ecs" | "services" | "external";
  readonly parent?: string;
}

/** sg: a security-group rule (label = protocol and ports); traffic: how requests flow; ref: a configuration reference; route: a route-table route. */
export type EdgeKind = "sg" | "traffic" | "ref" | "route";

/** An arrow; `from`/`to` are node ids or cluster ids. */
export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  label: string;
  readonly kind: EdgeKind;
}

/** The whole picture of one stack. */
export interface Diagram {
  readonly stack: string;
  readonly title: string;
  readonly clusters: DiagramCluster[];
  readonly nodes: DiagramNode[];
  readonly edges: DiagramEdge[];
  /** Counts of Terraform resources, for the caption. */
  readonly resourceCount: number;
  /** How many resources were folded into another node or hidden. */
  readonly collapsedCount: number;
}

/** Types that never get a node: plumbing whose meaning is shown elsewhere (routes as NAT edges, SG rules as edges, ...). */
const HIDDEN = new Set([
  "aws_route_table",
  "aws_route",
  "aws_route_table_association",
  "aws_main_route_table_association",
  "aws_default_route_table",
  "aws_default_network_acl",
  "aws_default_security_group",
  "aws_default_vpc_dhcp_options",
  "aws_vpc_dhcp_options_association",
  "aws_security_group",
  "aws_security_group_rule",
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
  "aws_subnet",
  "aws_vpc",
  "aws_flow_log",
]);

/** Types folded into the drawn node of a resource they reference (forward) ... */
const FOLD_FORWARD = [
  /^aws_s3_bucket_/,
  /^aws_kms_alias$/,
  /^aws_lb_listener_rule$/,
  /^aws_lb_listener_certificate$/,
  /^aws_lb_target_group_attachment$/,
  /^aws_appautoscaling_(target|policy|scheduled_action)$/,
  /^aws_sns_topic_(subscription|policy)$/,
  /^aws_cloudwatch_log_metric_filter$/,
  /^aws_cloudwatch_log_subscription_filter$/,
  /^aws_acm_certificate_validation$/,
  /^aws_secretsmanager_secret_(version|rotation|policy)$/,
  /^aws_ecr_(lifecycle_policy|repository_policy)$/,
  /^aws_dynamodb_table_item$/,
];
/** ... or into the drawn node that references them (reverse). */
const FOLD_REVERSE = [/^aws_db_(subnet_group|parameter_group|option_group)$/, /^aws_eip$/];

const isIam = (type: string) => type.startsWith("aws_iam_");
const SG_RULE_TYPES = new Set(["aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"]);

/** Safe identifier for DOT and Mermaid. */
export function nodeId(prefix: string, text: string): string {
  return `${prefix}_${text.replace(/[^A-Za-z0-9]+/g, "_")}`.replace(/_+$/, "");
}

const lit = (v: unknown): string | undefined => (typeof v === "string" && !v.includes("${") ? v : undefined);
/** A literal, or a string with interpolations shown as `‹attribute›` (`logs-${data.aws_caller_identity.a.account_id}` → `logs-‹account_id›`). */
const shown = (v: unknown): string | undefined => {
  if (typeof v !== "string") return undefined;
  if (!v.includes("${")) return v;
  if (/^\$\{[^}]*\}$/.test(v)) return undefined; // nothing literal to show
  return v.replace(/\$\{([^}]*)\}/g, (_m, expr: string) => `‹${expr.split(".").pop()?.replace(/[^\w-]/g, "") || "…"}›`);
};
const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

/** Builds the diagram of one stack. */
export function buildDiagram(stack: TfStack): Diagram {
  const resources = allResources(stack.json);
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  const known = new Set(byAddress.keys());
  const refsOf = new Map(resources.map((r) => [r.address, referencesIn(r.body, known)]));
  const refs = (r: TfResource) => refsOf.get(r.address) ?? [];
  const referrers = (address: string) => resources.filter((r) => refs(r).some((x) => x.address === address));
  const managed = (...types: string[]) => resources.filter((r) => !r.isData && types.includes(r.type));
  const region = stackRegion(stack.json) ?? "region";

  const clusters = new Map<string, DiagramCluster>();
  const nodes = new Map<string, DiagramNode>();
  const edges: DiagramEdge[] = [];
  /** Terraform address → id of the node (or cluster) that draws it. */
  const rep = new Map<string, string>();
  const hidden = new Set<string>();

  const addCluster = (c: DiagramCluster) => {
    if (!clusters.has(c.id)) clusters.set(c.id, c);
    return clusters.get(c.id)!;
  };
  const addNode = (n: Omit<DiagramNode, "details"> & { details?: string[] }): DiagramNode => {
    const existing = nodes.get(n.id);
    if (existing) {
      for (const a of n.addresses) if (!existing.addresses.includes(a)) existing.addresses.push(a);
      n.addresses.forEach((a) => rep.set(a, existing.id));
      return existing;
    }
    const node: DiagramNode = { details: [], ...n, addresses: [...n.addresses] };
    nodes.set(node.id, node);
    node.addresses.forEach((a) => rep.set(a, node.id));
    return node;
  };
  const addEdge = (from: string, to: string, label: string, kind: EdgeKind) => {
    if (from === to && kind !== "sg") return;
    const same = edges.find((e) => e.from === from && e.to === to && e.kind === kind);
    if (same) {
      if (label && !same.label.split(", ").includes(label)) same.label = same.label ? `${same.label}, ${label}` : label;
      return;
    }
    edges.push({ from, to, label, kind });
  };

  const regionCluster = addCluster({ id: "c_region", title: `AWS ${region}`, details: [], kind: "region" });
  const servicesCluster = () =>
    addCluster({ id: "c_services", title: "regional services", details: [], kind: "services", parent: regionCluster.id });

  // ---------------------------------------------------------------- VPCs, subnets, tiers
  const vpcClusterOf = new Map<string, string>(); // vpc address or literal id → cluster id
  for (const vpc of resources.filter((r) => r.type === "aws_vpc")) {
    const flow = managed("aws_flow_log").some((f) => refs(f).some((x) => x.address === vpc.address));
    const cidr = lit(vpc.body.cidr_block) ?? (vpc.isData ? "existing" : "");
    const id = nodeId("c_vpc", vpc.name);
    addCluster({ id, title: `VPC ${cidr}`.trim(), details: flow ? ["flow logs: all traffic"] : [], kind: "vpc", parent: regionCluster.id });
    vpcClusterOf.set(vpc.address, id);
    rep.set(vpc.address, id);
  }
  const literalVpcCluster = (vpcId: string) => {
    const id = nodeId("c_vpc", vpcId);
    if (!vpcClusterOf.has(vpcId)) {
      addCluster({ id, title: `VPC ${vpcId} (existing)`, details: [], kind: "vpc", parent: regionCluster.id });
      vpcClusterOf.set(vpcId, id);
    }
    return id;
  };
  for (const r of resources) {
    const v = lit(r.body.vpc_id);
    if (v && /^vpc-/.test(v)) literalVpcCluster(v);
  }
  /** The one VPC cluster when there is exactly one, else a placeholder for a network of another stack. */
  const defaultVpcCluster = () => {
    const all = [...new Set(vpcClusterOf.values())];
    if (all.length === 1) return all[0];
    // cdktf cross-stack references read another stack's outputs through terraform_remote_state.
    const remote = resources
      .filter((r) => r.type === "terraform_remote_state" && r.isData)
      .map((r) => r.name.replace(/^cross-stack-reference-input-/, ""));
    const title = remote.length ? `VPC of stack ${remote.join(", ")}` : "VPC (not in this stack)";
    return addCluster({ id: "c_vpc_shared", title, details: [], kind: "vpc", parent: regionCluster.id }).id;
  };

  const azLabel = (v: unknown): string | undefined => {
    const l = lit(v);
    if (l) return l;
    const m = typeof v === "string" ? /names,\s*(\d+)\)/.exec(v) ?? /names\[(\d+)\]/.exec(v) : null;
    return m ? `AZ ${Number(m[1]) + 1}` : undefined;
  };
  const routeTierOf = (subnet: TfResource): "public" | "private" | undefined => {
    const tables = managed("aws_route_table_association")
      .filter((a) => refs(a).some((x) => x.address === subnet.address))
      .flatMap((a) => refs(a).filter((x) => x.address.startsWith("aws_route_table.")).map((x) => x.address));
    let tier: "public" | "private" | undefined;
    for (const table of tables) {
      const routeBodies = [
        ...managed("aws_route").filter((rt) => refs(rt).some((x) => x.address === table)).map((rt) => rt.body),
        ...((byAddress.get(table)?.body.route as any[]) ?? []),
      ];
      for (const body of routeBodies) {
        const targets = referencesIn(body, known).map((x) => x.address.split(".")[0]);
        if (targets.includes("aws_internet_gateway")) return "public";
        if (targets.includes("aws_nat_gateway")) tier = "private";
      }
    }
    return tier;
  };
  const nameTier = (r: TfResource): "public" | "private" | undefined => {
    const text = `${r.constructPath} ${r.name}`.toLowerCase();
    if (text.includes("public")) return "public";
    if (/private|isolated|database/.test(text)) return "private";
    if (r.body.map_public_ip_on_launch === true) return "public";
    return undefined;
  };
  const tierCluster = (vpcCluster: string, tier: "public" | "private" | "tier", note = "") => {
    const title = tier === "tier" ? "subnets" : `${tier} subnets`;
    return addCluster({ id: `${vpcCluster}_${tier}`, title: `${title}${note}`, details: [], kind: tier, parent: vpcCluster });
  };
  const subnetTier = new Map<string, string>(); // subnet address → tier cluster id
  for (const subnet of resources.filter((r) => r.type === "aws_subnet")) {
    const vpcRef = refs(subnet).find((x) => x.at === "vpc_id");
    const vpcCluster = (vpcRef && vpcClusterOf.get(vpcRef.address)) ?? (lit(subnet.body.vpc_id) ? literalVpcCluster(lit(subnet.body.vpc_id)!) : defaultVpcCluster());
    const tier = (subnet.isData ? undefined : routeTierOf(subnet)) ?? nameTier(subnet) ?? "tier";
    const cluster = tierCluster(vpcCluster, tier);
    const cidr = resolveCidr(subnet.body.cidr_block);
    const az = azLabel(subnet.body.availability_zone);
    const text = subnet.isData ? `${lit(subnet.body.id) ?? subnet.name}${az ? ` (${az})` : ""} (existing)` : `${cidr ?? "computed CIDR"}${az ? ` (${az})` : ""}`;
    cluster.details.push(text);
    subnetTier.set(subnet.address, cluster.id);
    rep.set(subnet.address, cluster.id);
  }

  /**
   * The tier cluster of a resource, from the subnets it names (directly, or through a DB subnet
   * group): created subnets by their route tables, existing ones (literal IDs) by `fallback`.
   */
  const placeBySubnets = (r: TfResource, fallback: "public" | "private"): string | undefined => {
    const viaGroups = refs(r)
      .filter((x) => /subnet_group/.test(x.address.split(".").slice(-2)[0]))
      .map((x) => byAddress.get(x.address)!)
      .filter(Boolean);
    const subnetRefs = [r, ...viaGroups].flatMap((x) => refs(x).filter((y) => /subnet/.test(y.at) && subnetTier.has(y.address)));
    if (subnetRefs.length) {
      const counts = new Map<string, number>();
      for (const s of subnetRefs) counts.set(subnetTier.get(s.address)!, (counts.get(subnetTier.get(s.address)!) ?? 0) + 1);
      return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
    }
    const literals: string[] = [];
    const walk = (v: unknown, key: string) => {
      if (typeof v === "string" && /subnet/.test(key) && /^subnet-/.test(v)) literals.push(v);
      else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
      else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, `${key}.${k}`);
    };
    [r, ...viaGroups].forEach((x) => walk(x.body, ""));
    const anySubnetExpr = [r, ...viaGroups].some((x) => Object.keys(x.body).some((k) => /subnet/.test(k)) || x.body.network_configuration?.subnets);
    if (literals.length || anySubnetExpr) {
      const vpcLit = lit(r.body.vpc_id);
      const cluster = tierCluster(vpcLit ? literalVpcCluster(vpcLit) : defaultVpcCluster(), fallback);
      for (const l of literals) if (!cluster.details.includes(l)) cluster.details.push(l);
      return cluster.id;
    }
    return undefined;
  };
  const placeInVpc = (r: TfResource): string | undefined => {
    const vpcRef = refs(r).find((x) => vpcClusterOf.has(x.address));
    if (vpcRef) return vpcClusterOf.get(vpcRef.address);
    const l = lit(r.body.vpc_id);
    return l ? literalVpcCluster(l) : undefined;
  };

  // ---------------------------------------------------------------- network nodes
  for (const igw of managed("aws_internet_gateway", "aws_egress_only_internet_gateway")) {
    addNode({ id: nodeId("n", igw.address), title: "Internet gateway", kind: "network", role: "igw", cluster: placeInVpc(igw) ?? defaultVpcCluster(), addresses: [igw.address] });
  }
  for (const nat of managed("aws_nat_gateway")) {
    const subnetRef = refs(nat).find((x) => x.at === "subnet_id");
    const az = subnetRef ? azLabel(byAddress.get(subnetRef.address)?.body.availability_zone) : undefined;
    const eip = refs(nat).find((x) => x.address.startsWith("aws_eip."));
    addNode({
      id: nodeId("n", nat.address),
      title: `NAT gateway${az ? ` (${az})` : ""}`,
      details: [nat.body.connectivity_type === "private" ? "private NAT" : eip ? "+ Elastic IP" : "public"],
      kind: "network",
      role: "nat",
      cluster: placeBySubnets(nat, "public") ?? defaultVpcCluster(),
      addresses: [nat.address, ...(eip ? [eip.address] : [])],
    });
  }

  // ---------------------------------------------------------------- load balancers
  for (const lb of managed("aws_lb", "aws_alb")) {
    const internal = lb.body.internal === true;
    const type = lb.body.load_balancer_type === "network" ? "NLB" : lb.body.load_balancer_type === "gateway" ? "GWLB" : "ALB";
    const subnets = Array.isArray(lb.body.subnets) ? lb.body.subnets.length : 0;
    addNode({
      id: nodeId("n", lb.address),
      title: `${type} ${lit(lb.body.name) ?? lb.name}`,
      details: [`${internal ? "internal" : "internet-facing"}${subnets ? `, ${subnets} AZs` : ""}`, ...(lb.body.enable_deletion_protection ? ["deletion protection"] : [])],
      kind: "lb",
      role: type === "ALB" ? "alb" : "lb",
      cluster: placeBySubnets(lb, internal ? "private" : "public") ?? defaultVpcCluster(),
      addresses: [lb.address],
    });
  }
  for (const tg of managed("aws_lb_target_group", "aws_alb_target_group")) {
    const hc = tg.body.health_check ?? {};
    addNode({
      id: nodeId("n", tg.address),
      title: `target group ${lit(tg.body.name) ?? tg.name}`,
      details: [`${tg.body.protocol ?? ""} :${tg.body.port ?? "?"}, ${tg.body.target_type ?? "instance"} targets`.trim(), ...(hc.path ? [`health ${hc.path}`] : [])],
      kind: "lb",
      role: "target-group",
      addresses: [tg.address],
    });
  }
  for (const listener of managed("aws_lb_listener", "aws_alb_listener")) {
    const action = (Array.isArray(listener.body.default_action) ? listener.body.default_action : [listener.body.default_action])[0] ?? {};
    const details: string[] = [];
    if (action.type === "redirect" && action.redirect) {
      details.push(`${action.redirect.status_code === "HTTP_302" ? "302" : "301"} → ${action.redirect.protocol ?? ""}${action.redirect.port ? ` :${action.redirect.port}` : ""}`.trim());
    } else if (action.type === "forward") details.push("forward");
    else if (action.type) details.push(action.type.replace(/-/g, " "));
    if (lit(listener.body.ssl_policy)) details.push(listener.body.ssl_policy);
    const node = addNode({
      id: nodeId("n", listener.address),
      title: `listener ${listener.body.protocol ?? ""} :${listener.body.port ?? "?"}`,
      details,
      kind: "lb",
      role: "listener",
      addresses: [listener.address],
    });
    const lbRef = refs(listener).find((x) => x.at === "load_balancer_arn");
    if (lbRef && rep.has(lbRef.address)) {
      node.cluster = nodes.get(rep.get(lbRef.address)!)!.cluster;
      addEdge(rep.get(lbRef.address)!, node.id, "", "traffic");
    }
    for (const tgRef of refs(listener).filter((x) => x.address.includes("target_group"))) {
      const tgNode = nodes.get(rep.get(tgRef.address) ?? "");
      if (!tgNode) continue;
      tgNode.cluster ??= node.cluster;
      addEdge(node.id, tgNode.id, "", "traffic");
    }
    const certArn = lit(listener.body.certificate_arn);
    if (certArn) {
      const cert = addNode({
        id: nodeId("n_cert", certArn.split("/").pop() ?? certArn),
        title: "ACM certificate (existing)",
        details: [`…/${(certArn.split("/").pop() ?? "").slice(0, 8)}…`],
        kind: "dns",
        role: "certificate",
        addresses: [],
      });
      addEdge(cert.id, node.id, "TLS", "ref");
    }
  }
  for (const tg of nodes.values()) if (tg.role === "target-group" && !tg.cluster) tg.cluster = placeInVpc(byAddress.get(tg.addresses[0])!);

  // ---------------------------------------------------------------- ECS
  const services = managed("aws_ecs_service");
  for (const cluster of managed("aws_ecs_cluster")) {
    const own = services.filter((s) => refs(s).some((x) => x.address === cluster.address));
    const insights = (cluster.body.setting ?? []).some((s: any) => s.name === "containerInsights" && s.value === "enabled");
    if (own.length === 0) {
      addNode({ id: nodeId("n", cluster.address), title: `ECS cluster ${lit(cluster.body.name) ?? cluster.name}`, kind: "compute", role: "ecs-cluster", cluster: servicesCluster().id, addresses: [cluster.address] });
      continue;
    }
    const parent = placeBySubnets(own[0], "private") ?? defaultVpcCluster();
    const id = nodeId("c_ecs", cluster.name);
    addCluster({ id, title: `ECS cluster ${lit(cluster.body.name) ?? cluster.name}`, details: insights ? ["Container Insights"] : [], kind: "ecs", parent });
    rep.set(cluster.address, id);
  }
  for (const service of services) {
    const clusterRef = refs(service).find((x) => x.at === "cluster");
    const scaling = managed("aws_appautoscaling_target").filter((t) => refs(t).some((x) => x.address === service.address));
    const policies = managed("aws_appautoscaling_policy").filter((p) => scaling.some((t) => refs(p).some((x) => x.address === t.address)));
    const desired = num(service.body.desired_count);
    const details = [`${service.body.launch_type ?? (service.body.capacity_provider_strategy ? "capacity providers" : "EC2")}, ${desired ?? "?"} ${desired === 1 ? "task" : "tasks"}`];
    for (const t of scaling) {
      const target = policies.map((p) => p.body.target_tracking_scaling_policy_configuration?.target_value).find((v) => v !== undefined);
      details.push(`autoscaling ${t.body.min_capacity}–${t.body.max_capacity}${target !== undefined ? ` at ${target} % CPU` : ""}`);
    }
    if (service.body.deployment_circuit_breaker?.rollback) details.push("circuit breaker + rollback");
    const node = addNode({
      id: nodeId("n", service.address),
      title: `ECS service ${lit(service.body.name) ?? service.name}`,
      details,
      kind: "compute",
      role: "ecs-service",
      cluster: (clusterRef && rep.get(clusterRef.address)) ?? placeBySubnets(service, "private") ?? defaultVpcCluster(),
      addresses: [service.address, ...scaling.map((t) => t.address), ...policies.map((p) => p.address)],
    });
    for (const lbBlock of Array.isArray(service.body.load_balancer) ? service.body.load_balancer : []) {
      const tgRef = referencesIn(lbBlock, known)[0];
      if (tgRef && rep.has(tgRef.address)) addEdge(rep.get(tgRef.address)!, node.id, `targets :${lbBlock.container_port ?? ""}`, "traffic");
    }
  }
  for (const td of managed("aws_ecs_task_definition")) {
    const users = services.filter((s) => refs(s).some((x) => x.address === td.address));
    const containers = containerDefinitions(td.body);
    const cpu = num(td.body.cpu);
    const mem = num(td.body.memory);
    const details: string[] = [];
    if (cpu !== undefined && mem !== undefined) details.push(`${cpu / 1024} vCPU / ${mem / 1024} GB${td.body.runtime_platform?.cpu_architecture ? `, ${td.body.runtime_platform.cpu_architecture}` : ""}`);
    for (const c of containers) {
      const image = String(c.image ?? "").split("/").pop() ?? "";
      const ports = (c.portMappings ?? []).map((p: any) => `:${p.containerPort}`).join(" ");
      details.push(`${c.name}${c.essential === false ? " (init)" : ""}: ${image}${ports ? ` ${ports}` : ""}`);
    }
    const serviceNode = users.length ? nodes.get(rep.get(users[0].address)!) : undefined;
    const node = addNode({
      id: nodeId("n", td.address),
      title: `task definition ${lit(td.body.family) ?? td.name}`,
      details,
      kind: "compute",
      role: "task-definition",
      cluster: serviceNode?.cluster ?? servicesCluster().id,
      addresses: [td.address],
    });
    for (const s of users) addEdge(rep.get(s.address)!, node.id, "runs", "ref");
  }

  // ---------------------------------------------------------------- databases
  for (const db of managed("aws_db_instance", "aws_rds_cluster")) {
    const engine = `${db.body.engine ?? "db"} ${db.body.engine_version ?? ""}`.trim();
    const storage = num(db.body.allocated_storage);
    const maxStorage = num(db.body.max_allocated_storage);
    const details = [
      `${db.body.instance_class ?? db.body.db_cluster_instance_class ?? ""}${db.body.multi_az ? ", Multi-AZ" : ", single-AZ"}`,
      ...(storage ? [`${storage}${maxStorage ? `–${maxStorage}` : ""} GiB ${db.body.storage_type ?? ""}${db.body.storage_encrypted ? ", encrypted" : ""}`.trim()] : []),
      ...(db.body.backup_retention_period !== undefined ? [`backups ${db.body.backup_retention_period} d${db.body.performance_insights_enabled ? ", Performance Insights" : ""}`] : []),
    ];
    addNode({
      id: nodeId("n", db.address),
      title: `RDS ${engine} ${lit(db.body.identifier) ?? ""}`.trim(),
      details,
      kind: "database",
      role: "rds",
      shape: "cylinder",
      cluster: placeBySubnets(db, "private") ?? defaultVpcCluster(),
      addresses: [db.address],
    });
  }

  // ---------------------------------------------------------------- regional services
  const secrets = managed("aws_secretsmanager_secret");
  const managedSecrets = managed("aws_db_instance", "aws_rds_cluster").filter((d) => d.body.manage_master_user_password === true);
  if (secrets.length || managedSecrets.length) {
    const names = secrets.map((s) => lit(s.body.name) ?? lit(s.body.name_prefix) ?? s.name);
    const details = [...names.slice(0, 4), ...(names.length > 4 ? [`+${names.length - 4} more`] : [])];
    for (const d of managedSecrets) details.push(`RDS-managed: ${lit(d.body.identifier) ?? "DB"} master credentials`);
    addNode({
      id: "n_secrets",
      title: `Secrets Manager (${plural(secrets.length + managedSecrets.length, "secret")})`,
      details,
      kind: "security",
      role: "secrets",
      cluster: servicesCluster().id,
      addresses: secrets.map((s) => s.address),
    });
  }
  for (const key of managed("aws_kms_key")) {
    const alias = managed("aws_kms_alias").find((a) => refs(a).some((x) => x.address === key.address));
    addNode({
      id: nodeId("n", key.address),
      title: `KMS key${alias && lit(alias.body.name) ? ` ${alias.body.name}` : ""}`,
      details: key.body.enable_key_rotation ? ["rotation on"] : [],
      kind: "security",
      role: "kms",
      cluster: servicesCluster().id,
      addresses: [key.address, ...(alias ? [alias.address] : [])],
    });
  }
  const iam = resources.filter((r) => !r.isData && isIam(r.type));
  if (iam.length) {
    const roles = iam.filter((r) => r.type === "aws_iam_role");
    const others = iam.length - roles.length;
    addNode({
      id: "n_iam",
      title: `IAM (${plural(roles.length, "role")})`,
      details: [
        ...roles.slice(0, 5).map((r) => lit(r.body.name) ?? lit(r.body.name_prefix) ?? r.constructPath),
        ...(roles.length > 5 ? [`+${roles.length - 5} more`] : []),
        ...(others ? [`${plural(others, "policy / attachment", "policies / attachments")}`] : []),
      ],
      kind: "security",
      role: "iam",
      cluster: servicesCluster().id,
      addresses: iam.map((r) => r.address),
    });
  }
  for (const group of managed("aws_cloudwatch_log_group")) {
    const filters = managed("aws_cloudwatch_log_metric_filter").filter((f) => refs(f).some((x) => x.address === group.address));
    const details = [
      `retention ${group.body.retention_in_days ?? "never expires"}${group.body.retention_in_days ? " d" : ""}${group.body.kms_key_id ? ", KMS" : ""}`,
      ...filters.map((f) => `metric filter → ${f.body.metric_transformation?.name ?? f.body.name}`),
    ];
    addNode({
      id: nodeId("n", group.address),
      title: `Logs ${lit(group.body.name) ?? group.name}`,
      details,
      kind: "observability",
      role: "log-group",
      cluster: servicesCluster().id,
      addresses: [group.address, ...filters.map((f) => f.address)],
    });
  }
  for (const topic of managed("aws_sns_topic")) {
    const subs = managed("aws_sns_topic_subscription").filter((s) => refs(s).some((x) => x.address === topic.address));
    const protocols = [...new Set(subs.map((s) => s.body.protocol))];
    addNode({
      id: nodeId("n", topic.address),
      title: `SNS ${lit(topic.body.name) ?? topic.name}`,
      details: subs.length ? [`${plural(subs.length, "subscription")} (${protocols.join(", ")})`] : ["no subscriptions"],
      kind: "observability",
      role: "sns",
      cluster: servicesCluster().id,
      addresses: [topic.address, ...subs.map((s) => s.address)],
    });
  }
  for (const bucket of managed("aws_s3_bucket")) {
    const subs = resources.filter((r) => r.type.startsWith("aws_s3_bucket_") && refs(r).some((x) => x.address === bucket.address));
    const features: string[] = [];
    for (const s of subs) {
      if (s.type === "aws_s3_bucket_versioning") features.push("versioned");
      if (s.type === "aws_s3_bucket_server_side_encryption_configuration") {
        const algo = JSON.stringify(s.body).includes("aws:kms") ? "SSE-KMS" : "SSE-S3";
        features.push(algo);
      }
      if (s.type === "aws_s3_bucket_public_access_block") features.push("no public access");
      if (s.type === "aws_s3_bucket_lifecycle_configuration") features.push("lifecycle");
    }
    if (bucket.body.lifecycle?.prevent_destroy === true) features.push("prevent_destroy");
    addNode({
      id: nodeId("n", bucket.address),
      title: `S3 ${shown(bucket.body.bucket) ?? shown(bucket.body.bucket_prefix) ?? bucket.constructPath}`,
      details: features.length ? [features.join(", ")] : [],
      kind: "storage",
      role: "s3",
      cluster: servicesCluster().id,
      addresses: [bucket.address, ...subs.map((s) => s.address)],
    });
  }
  const alarms = managed("aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm");
  // The dashboard shows these alarms' states: drawn with them.
  const dashboards = managed("aws_cloudwatch_dashboard");
  if (alarms.length) {
    const watched = new Map<string, number>();
    const filterMetrics = new Set(managed("aws_cloudwatch_log_metric_filter").map((f) => f.body.metric_transformation?.name));
    const NAMESPACE: Record<string, string> = { "AWS/ECS": "ECS", "ECS/ContainerInsights": "ECS", "AWS/RDS": "RDS", "AWS/ApplicationELB": "ALB", "AWS/NATGateway": "NAT" };
    for (const alarm of alarms) {
      const namespaces = [alarm.body.namespace, ...((alarm.body.metric_query ?? []) as any[]).map((q) => q.metric?.namespace)].filter(Boolean);
      const metrics = [alarm.body.metric_name, ...((alarm.body.metric_query ?? []) as any[]).map((q) => q.metric?.metric_name)];
      // A log metric by its literal name, or by a reference to its metric filter (modules/log-alerts.ts).
      const fromFilter = (m: unknown) => filterMetrics.has(m) || (typeof m === "string" && m.startsWith("${aws_cloudwatch_log_metric_filter."));
      const what = metrics.some(fromFilter) ? "logs" : NAMESPACE[namespaces[0]] ?? namespaces[0] ?? "composite";
      watched.set(what, (watched.get(what) ?? 0) + 1);
    }
    addNode({
      id: "n_alarms",
      title: plural(alarms.length, "CloudWatch alarm"),
      details: [[...watched.entries()].map(([w, n]) => `${w} ${n}`).join(" · "), ...(dashboards.length ? [plural(dashboards.length, "dashboard")] : [])],
      kind: "observability",
      role: "alarms",
      cluster: servicesCluster().id,
      addresses: [...alarms, ...dashboards].map((a) => a.address),
    });
  }

  // ---------------------------------------------------------------- DNS and TLS
  for (const cert of managed("aws_acm_certificate")) {
    const validation = resources.filter(
      (r) => (r.type === "aws_acm_certificate_validation" || r.type === "aws_route53_record") && refs(r).some((x) => x.address === cert.address),
    );
    addNode({
      id: nodeId("n", cert.address),
      title: `ACM certificate ${lit(cert.body.domain_name) ?? ""}`.trim(),
      details: [`${cert.body.validation_method ?? "DNS"} validation${validation.some((v) => v.type === "aws_route53_record") ? " (Route53 records)" : ""}`],
      kind: "dns",
      role: "certificate",
      addresses: [cert.address, ...validation.map((v) => v.address)],
    });
  }
  for (const record of managed("aws_route53_record")) {
    if (rep.has(record.address)) continue; // a certificate validation record
    const alias = record.body.alias ? referencesIn(record.body.alias, known)[0] : undefined;
    const node = addNode({
      id: nodeId("n", record.address),
      title: `Route53 ${record.body.type ?? ""} ${lit(record.body.name) ?? ""}`.replace(/\s+/g, " ").trim(),
      details: [alias ? "alias" : `${(record.body.records ?? []).length} value(s)`],
      kind: "dns",
      role: "dns-record",
      addresses: [record.address],
    });
    if (alias && rep.has(alias.address)) addEdge(node.id, rep.get(alias.address)!, "alias", "traffic");
  }
  for (const listener of managed("aws_lb_listener", "aws_alb_listener")) {
    for (const r of refs(listener).filter((x) => x.at === "certificate_arn")) {
      const cert = rep.get(r.address);
      if (cert) addEdge(cert, rep.get(listener.address)!, "TLS", "ref");
    }
  }
  const url = lit(stack.json.output?.url?.value);
  const publicLbs = [...nodes.values()].filter((n) => n.role === "alb" && n.details[0]?.startsWith("internet-facing"));
  const aliased = new Set(edges.filter((e) => nodes.get(e.from)?.role === "dns-record").map((e) => e.to));
  for (const lb of publicLbs.filter((l) => !aliased.has(l.id))) {
    const host = url ? url.replace(/^https?:\/\//, "").replace(/\/.*$/, "") : undefined;
    const node = addNode({
      id: nodeId("n_dns_external", lb.id),
      title: "DNS (outside this stack)",
      details: [`${host ?? "your host name"} CNAME → ALB`],
      kind: "dns",
      role: "dns-external",
      addresses: [],
    });
    addEdge(node.id, lb.id, "CNAME", "traffic");
  }

  // ---------------------------------------------------------------- folding, then anything else as generic nodes
  const isFoldable = (r: TfResource) => FOLD_FORWARD.some((p) => p.test(r.type)) || FOLD_REVERSE.some((p) => p.test(r.type));
  const fold = () => {
    for (const r of resources) {
      if (rep.has(r.address) || r.isData || hidden.has(r.address)) continue;
      if (HIDDEN.has(r.type)) {
        hidden.add(r.address);
        continue;
      }
      const forward = FOLD_FORWARD.some((p) => p.test(r.type)) ? refs(r).map((x) => rep.get(x.address)).find((id) => id && nodes.has(id)) : undefined;
      const target =
        forward ??
        (FOLD_REVERSE.some((p) => p.test(r.type)) ? referrers(r.address).map((x) => rep.get(x.address)).find((id) => id && nodes.has(id)) : undefined);
      if (target) {
        nodes.get(target)!.addresses.push(r.address);
        rep.set(r.address, target);
      }
    }
  };
  const generic = (leftovers: TfResource[]) => {
    const groups = new Map<string, TfResource[]>();
    for (const r of leftovers) {
      const placement = placeBySubnets(r, "private") ?? placeInVpc(r) ?? servicesCluster().id;
      const key = `${r.type}|${placement}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const [key, members] of groups) {
      const [type, placement] = key.split("|");
      const short = type.replace(/^aws_/, "").replace(/_/g, " ");
      if (members.length > 3) {
        addNode({ id: nodeId("n_group", key), title: `${members.length} × ${short}`, kind: "other", role: type, cluster: placement, addresses: members.map((m) => m.address) });
        continue;
      }
      for (const m of members) {
        addNode({
          id: nodeId("n", m.address),
          title: `${short} ${shown(m.body.name) ?? shown(m.body.bucket) ?? m.constructPath.split("/").pop()}`,
          kind: "other",
          role: type,
          cluster: placement,
          addresses: [m.address],
        });
      }
    }
  };
  const unplaced = () => resources.filter((r) => !r.isData && !rep.has(r.address) && !hidden.has(r.address));
  fold();
  generic(unplaced().filter((r) => !isFoldable(r))); // unknown types first: sub-resources may fold into them
  fold();
  generic(unplaced());

  // ---------------------------------------------------------------- reference edges
  const roleOf = (address: string) => nodes.get(rep.get(address) ?? "")?.role;
  for (const r of resources) {
    const from = rep.get(r.address);
    const fromNode = from ? nodes.get(from) : undefined;
    if (!fromNode) continue;
    for (const x of refs(r)) {
      const to = rep.get(x.address);
      const toNode = to ? nodes.get(to) : undefined;
      if (!toNode || toNode.id === fromNode.id) continue;
      const pair = `${fromNode.role}>${toNode.role}`;
      if (pair === "task-definition>secrets" || (fromNode.role === "task-definition" && toNode.role === "rds" && x.attr.startsWith("master_user_secret"))) {
        if (nodes.has("n_secrets")) addEdge(fromNode.id, "n_secrets", "secrets", "ref");
      } else if (pair === "task-definition>log-group") addEdge(fromNode.id, toNode.id, "logs", "ref");
      else if (pair === "alarms>sns") addEdge(fromNode.id, toNode.id, "notify", "ref");
      else if (fromNode.role === "alb" && toNode.role === "s3") addEdge(fromNode.id, toNode.id, "access logs", "ref");
      else if (fromNode.kind === "other" && !["kms", "iam"].includes(toNode.role)) addEdge(fromNode.id, toNode.id, "", "ref");
      else if (toNode.kind === "other" && !["kms", "iam", "rds"].includes(fromNode.role) && fromNode.role !== "task-definition") addEdge(fromNode.id, toNode.id, "", "ref");
    }
  }
  // What each KMS key encrypts: a label line, not a fan of edges.
  for (const key of [...nodes.values()].filter((n) => n.role === "kms")) {
    const users = new Map<string, number>();
    const SHORT: Record<string, string> = { rds: "RDS", secrets: "secrets", "log-group": "logs", sns: "SNS", s3: "S3", "ecs-service": "ECS", "task-definition": "ECS" };
    for (const r of resources) {
      if (!refs(r).some((x) => key.addresses.includes(x.address))) continue;
      const role = roleOf(r.address);
      if (!role || role === "kms" || role === "iam") continue;
      const word = SHORT[role] ?? role.replace(/^aws_/, "");
      users.set(word, (users.get(word) ?? 0) + 1);
    }
    if (users.size) key.details.push(`encrypts: ${[...users.entries()].map(([w, n]) => (n > 1 && w === "logs" ? `${n} log groups` : w)).join(", ")}`);
  }
  // S3 server access logging: bucket → target bucket.
  for (const logging of managed("aws_s3_bucket_logging")) {
    const source = rep.get(logging.address);
    const target = refs(logging).find((x) => x.at === "target_bucket");
    if (source && target && rep.get(target.address) && rep.get(target.address) !== source) addEdge(source, rep.get(target.address)!, "access logs", "ref");
  }
  // VPC flow logs → their log group.
  for (const flow of managed("aws_flow_log")) {
    const vpc = refs(flow).map((x) => vpcClusterOf.get(x.address)).find(Boolean);
    const group = refs(flow).map((x) => rep.get(x.address)).find((id) => id && nodes.get(id)?.role === "log-group");
    if (vpc && group) addEdge(vpc, group, "flow logs", "ref");
  }

  // ---------------------------------------------------------------- security-group rules
  buildSecurityGroupEdges({ resources, refs, known, rep, nodes, addNode, addEdge, defaultVpcCluster });

  // ---------------------------------------------------------------- routes: private tiers → NAT → IGW
  for (const route of managed("aws_route")) {
    const nat = refs(route).find((x) => x.address.startsWith("aws_nat_gateway."));
    const table = refs(route).find((x) => x.address.startsWith("aws_route_table."));
    if (!nat || !table || !rep.has(nat.address)) continue;
    const tiers = managed("aws_route_table_association")
      .filter((a) => refs(a).some((x) => x.address === table.address))
      .flatMap((a) => refs(a).map((x) => subnetTier.get(x.address)).filter((t): t is string => !!t));
    for (const tier of new Set(tiers)) addEdge(tier, rep.get(nat.address)!, "", "route");
  }
  const igws = [...nodes.values()].filter((n) => n.role === "igw");
  for (const nat of [...nodes.values()].filter((n) => n.role === "nat")) {
    const igw = igws.find((g) => g.cluster === clusters.get(nat.cluster ?? "")?.parent) ?? igws[0];
    if (igw) addEdge(nat.id, igw.id, "", "route");
  }

  // ---------------------------------------------------------------- the ZenML control plane
  const controlPlane = new Set<string>();
  const cloudUsers: string[] = [];
  for (const td of managed("aws_ecs_task_definition")) {
    for (const c of containerDefinitions(td.body)) {
      for (const env of c.environment ?? []) {
        if (["ZENML_SERVER_PRO_API_URL", "ZENML_SERVER_PRO_DASHBOARD_URL"].includes(env.name) && lit(env.value)) {
          controlPlane.add(String(env.value).replace(/^https?:\/\//, "").replace(/\/$/, ""));
          cloudUsers.push(...services.filter((s) => refs(s).some((x) => x.address === td.address)).map((s) => rep.get(s.address)!));
        }
      }
    }
  }
  if (controlPlane.size) {
    const cloud = addNode({ id: "n_zenml_cloud", title: "ZenML Cloud control plane", details: [...controlPlane], kind: "external", role: "zenml-cloud", shape: "box", addresses: [] });
    for (const user of new Set(cloudUsers)) {
      const egress = edges.find((e) => e.kind === "sg" && e.from === user && nodes.get(e.to)?.role === "cidr-egress" && /0\.0\.0\.0\/0/.test(nodes.get(e.to)!.details.join(" ")));
      if (egress) addEdge(egress.to, cloud.id, "HTTPS (outbound only)", "traffic");
      else addEdge(user, cloud.id, "HTTPS", "traffic");
    }
  }

  // Drop clusters that ended up empty (no nodes below them).
  const hasContent = (id: string): boolean =>
    [...nodes.values()].some((n) => n.cluster === id) || [...clusters.values()].some((c) => c.parent === id && hasContent(c.id));
  for (const id of [...clusters.keys()]) if (!hasContent(id) && !edges.some((e) => e.from === id || e.to === id)) clusters.delete(id);
  for (const id of [...clusters.keys()]) if (!hasContent(id)) {
    // A tier with no members but routes (e.g. private subnets of a network-only stack): keep, with a placeholder node.
    addNode({ id: `${id}_subnets`, title: "no resources of this stack", details: [], kind: "network", role: "subnets", cluster: id, addresses: [] });
  }

  const managedCount = resources.filter((r) => !r.isData).length;
  const ownNodes = [...nodes.values()].filter((n) => n.addresses.length).length;
  return {
    stack: stack.name,
    title: `${stack.name}: ${plural(managedCount, "resource")} (${region})`,
    clusters: [...clusters.values()],
    nodes: [...nodes.values()],
    edges,
    resourceCount: managedCount,
    collapsedCount: Math.max(0, managedCount - ownNodes),
  };
}

/** One security-group rule, whatever resource type declared it. */
interface SgRule {
  readonly group: string; // SG address (or literal id)
  readonly direction: "ingress" | "egress";
  readonly protocol: string;
  readonly from: number | undefined;
  readonly to: number | undefined;
  readonly peerGroups: string[];
  readonly cidrs: string[];
  readonly self: boolean;
}

function portsText(rule: SgRule): { protocol: string; ports: string } {
  const protocol = rule.protocol === "-1" || rule.protocol === "all" ? "all" : rule.protocol;
  if (protocol === "all") return { protocol: "all traffic", ports: "" };
  if (rule.from === undefined || (rule.from === 0 && (rule.to === 65535 || rule.to === 0))) return { protocol, ports: "all ports" };
  return { protocol, ports: rule.from === rule.to ? String(rule.from) : `${rule.from}-${rule.to}` };
}

function buildSecurityGroupEdges(ctx: {
  resources: TfResource[];
  refs: (r: TfResource) => ReturnType<typeof referencesIn>;
  known: Set<string>;
  rep: Map<string, string>;
  nodes: Map<string, DiagramNode>;
  addNode: (n: Omit<DiagramNode, "details"> & { details?: string[] }) => DiagramNode;
  addEdge: (from: string, to: string, label: string, kind: EdgeKind) => void;
  defaultVpcCluster: () => string;
}): void {
  const { resources, refs, known, rep, nodes, addNode, addEdge } = ctx;
  const groups = resources.filter((r) => r.type === "aws_security_group");
  const isGroup = (address: string) => address.startsWith("aws_security_group.") || address.startsWith("data.aws_security_group.");

  // Members: drawn nodes of the resources that attach each group.
  const members = new Map<string, Set<string>>();
  for (const r of resources) {
    if (SG_RULE_TYPES.has(r.type) || r.type === "aws_security_group" || r.isData) continue;
    for (const x of refs(r).filter((y) => isGroup(y.address) && /security_group/.test(y.at))) {
      const node = rep.get(r.address);
      if (!node || !nodes.has(node)) continue;
      members.set(x.address, (members.get(x.address) ?? new Set()).add(node));
    }
  }
  const membersOf = (group: string): string[] => {
    const m = members.get(group);
    if (m && m.size) return [...m];
    const sg = resources.find((r) => r.address === group);
    const title = sg ? `security group ${lit(sg.body.name) ?? sg.name}` : `security group ${group}`;
    const node = addNode({ id: nodeId("n", group), title, details: ["no member in this stack"], kind: "security", role: "security-group", cluster: ctx.defaultVpcCluster(), addresses: sg ? [sg.address] : [] });
    return [node.id];
  };

  const rules: SgRule[] = [];
  const peerOf = (value: unknown): string[] => {
    const found = referencesIn(value, known).filter((x) => isGroup(x.address)).map((x) => x.address);
    const l = lit(value);
    return found.length ? found : l && /^sg-/.test(l) ? [l] : [];
  };
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === "string") : typeof v === "string" ? [v] : []);
  for (const r of resources) {
    if (r.type === "aws_security_group_rule") {
      const group = referencesIn(r.body.security_group_id, known)[0]?.address ?? lit(r.body.security_group_id);
      if (!group) continue;
      rules.push({
        group,
        direction: r.body.type === "egress" ? "egress" : "ingress",
        protocol: String(r.body.protocol ?? "tcp"),
        from: num(r.body.from_port),
        to: num(r.body.to_port),
        peerGroups: peerOf(r.body.source_security_group_id),
        cidrs: [...list(r.body.cidr_blocks), ...list(r.body.ipv6_cidr_blocks), ...list(r.body.prefix_list_ids)],
        self: r.body.self === true,
      });
    } else if (r.type === "aws_vpc_security_group_ingress_rule" || r.type === "aws_vpc_security_group_egress_rule") {
      const group = referencesIn(r.body.security_group_id, known)[0]?.address ?? lit(r.body.security_group_id);
      if (!group) continue;
      rules.push({
        group,
        direction: r.type.endsWith("egress_rule") ? "egress" : "ingress",
        protocol: String(r.body.ip_protocol ?? "tcp"),
        from: num(r.body.from_port),
        to: num(r.body.to_port),
        peerGroups: peerOf(r.body.referenced_security_group_id),
        cidrs: [...list(r.body.cidr_ipv4), ...list(r.body.cidr_ipv6), ...list(r.body.prefix_list_id)],
        self: false,
      });
    }
  }
  for (const g of groups) {
    for (const direction of ["ingress", "egress"] as const) {
      for (const block of Array.isArray(g.body[direction]) ? g.body[direction] : []) {
        rules.push({
          group: g.address,
          direction,
          protocol: String(block.protocol ?? "tcp"),
          from: num(block.from_port),
          to: num(block.to_port),
          peerGroups: (block.security_groups ?? []).flatMap(peerOf),
          cidrs: [...list(block.cidr_blocks), ...list(block.ipv6_cidr_blocks), ...list(block.prefix_list_ids)],
          self: block.self === true,
        });
      }
    }
  }

  // Merge rules into one edge per (from, to): "tcp 80, 443".
  const merged = new Map<string, { from: string; to: string; byProtocol: Map<string, string[]> }>();
  const add = (from: string, to: string, rule: SgRule) => {
    const key = `${from}>${to}`;
    const entry = merged.get(key) ?? { from, to, byProtocol: new Map() };
    const { protocol, ports } = portsText(rule);
    const list2 = entry.byProtocol.get(protocol) ?? [];
    if (ports && !list2.includes(ports)) list2.push(ports);
    entry.byProtocol.set(protocol, list2);
    merged.set(key, entry);
  };
  const cidrNode = (cidr: string, direction: "ingress" | "egress", natted: boolean): string => {
    const anywhere = cidr === "0.0.0.0/0" || cidr === "::/0";
    const id = nodeId(direction === "ingress" ? "n_in" : "n_out", cidr);
    addNode({
      id,
      title: anywhere ? (direction === "ingress" ? "Internet clients" : "Internet (egress)") : /^pl-/.test(cidr) ? "prefix list" : "network",
      details: [anywhere && direction === "egress" && natted ? `${cidr} via NAT` : cidr],
      kind: "external",
      role: direction === "ingress" ? "cidr-ingress" : "cidr-egress",
      shape: "ellipse",
      addresses: [],
    });
    return id;
  };
  const hasNat = [...nodes.values()].some((n) => n.role === "nat");
  for (const rule of rules) {
    const own = membersOf(rule.group);
    const peers = [...rule.peerGroups.flatMap(membersOf), ...(rule.self ? own : [])];
    for (const o of own) {
      for (const p of peers) (rule.direction === "ingress" ? add(p, o, rule) : add(o, p, rule));
      for (const cidr of rule.cidrs) {
        const c = cidrNode(cidr, rule.direction, hasNat);
        rule.direction === "ingress" ? add(c, o, rule) : add(o, c, rule);
      }
    }
  }
  const sortPorts = (ports: string[]) => [...ports].sort((a, b) => (parseInt(a, 10) || 0) - (parseInt(b, 10) || 0));
  for (const { from, to, byProtocol } of merged.values()) {
    const label = [...byProtocol.entries()].map(([p, ports]) => (ports.length ? `${p} ${sortPorts(ports).join(", ")}` : p)).join("; ");
    addEdge(from, to, label, "sg");
  }
}
