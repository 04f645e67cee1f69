/**
 * Renders a {@link Diagram} as Graphviz DOT (laid out and drawn as SVG by @viz-js/viz, Graphviz
 * compiled to WebAssembly) and as Mermaid flowchart text (for GitHub pull requests and docs).
 */
import { instance } from "@viz-js/viz";
import { Diagram, DiagramCluster, DiagramEdge, DiagramNode, EdgeKind, NodeKind } from "./model";

/** Fill and border colour per node kind (AWS architecture icon palette). */
export const NODE_COLORS: Record<NodeKind, { fill: string; border: string }> = {
  external: { fill: "#F2F3F3", border: "#545B64" },
  network: { fill: "#F3EDFF", border: "#8C4FFF" },
  lb: { fill: "#F3EDFF", border: "#8C4FFF" },
  compute: { fill: "#FFF1E6", border: "#ED7100" },
  database: { fill: "#EDF0FF", border: "#3B48CC" },
  security: { fill: "#FDECEE", border: "#DD344C" },
  observability: { fill: "#FDEBF4", border: "#E7157B" },
  storage: { fill: "#F0F7E6", border: "#7AA116" },
  dns: { fill: "#F3EDFF", border: "#8C4FFF" },
  other: { fill: "#FFFFFF", border: "#545B64" },
};

const CLUSTER_STYLE: Record<DiagramCluster["kind"], { fill: string; border: string; style: string }> = {
  region: { fill: "#FFFFFF", border: "#232F3E", style: "dashed,rounded" },
  vpc: { fill: "#FAF7FF", border: "#8C4FFF", style: "filled,rounded" },
  public: { fill: "#F2F8EA", border: "#7AA116", style: "filled,rounded" },
  private: { fill: "#EAF3FA", border: "#147EBA", style: "filled,rounded" },
  tier: { fill: "#F5F5F5", border: "#545B64", style: "filled,rounded" },
  ecs: { fill: "#FFF7F0", border: "#ED7100", style: "filled,rounded" },
  services: { fill: "#F8F8F8", border: "#545B64", style: "filled,rounded" },
  external: { fill: "#FFFFFF", border: "#545B64", style: "dashed,rounded" },
};

/** Edge appearance per kind, shared by both renderers and the legend. */
export const EDGE_STYLE: Record<EdgeKind, { color: string; dot: string; meaning: string }> = {
  sg: { color: "#C7131F", dot: 'penwidth=2.2, style=solid, arrowsize=0.9', meaning: "security-group rule (protocol, ports)" },
  traffic: { color: "#232F3E", dot: "penwidth=1.2, style=solid", meaning: "request path" },
  ref: { color: "#7D8998", dot: "penwidth=1, style=dashed", meaning: "configuration reference" },
  route: { color: "#8C4FFF", dot: "penwidth=1, style=dotted", meaning: "default route (0.0.0.0/0)" },
};

const html = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const dotId = (id: string) => `"${id.replace(/"/g, '\\"')}"`;
const clusterDotId = (id: string) => `"cluster_${id}"`;

function nodeHtml(n: { title: string; details: string[] }, titleSize = 11, detailSize = 9): string {
  const lines = [`<B><FONT POINT-SIZE="${titleSize}">${html(n.title)}</FONT></B>`, ...n.details.map((d) => `<FONT POINT-SIZE="${detailSize}">${html(d)}</FONT>`)];
  return `<${lines.join("<BR/>")}>`;
}

/** The first node inside a cluster (recursively): the anchor of edges that start or end at the cluster. */
function anchorOf(diagram: Diagram, clusterId: string): DiagramNode | undefined {
  const direct = diagram.nodes.find((n) => n.cluster === clusterId);
  if (direct) return direct;
  for (const child of diagram.clusters.filter((c) => c.parent === clusterId)) {
    const a = anchorOf(diagram, child.id);
    if (a) return a;
  }
  return undefined;
}

/** Graphviz DOT source of the diagram. */
export function toDot(diagram: Diagram): string {
  const out: string[] = [];
  const clusterIds = new Set(diagram.clusters.map((c) => c.id));
  out.push(`digraph ${dotId(diagram.stack)} {`);
  out.push(
    `  graph [rankdir=TB, compound=true, newrank=true, fontname="Helvetica", fontsize=16, labelloc=t, labeljust=l, nodesep=0.3, ranksep=0.55, pad=0.3, bgcolor="#FFFFFF",`,
    `         label=<<B>${html(diagram.title)}</B><BR/><FONT POINT-SIZE="10">${diagram.collapsedCount} resources folded into the boxes they belong to (routes, IAM policies, bucket settings, alarms, ...)</FONT>>];`,
    `  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, margin="0.16,0.06", penwidth=1.3];`,
    `  edge [fontname="Helvetica", fontsize=10, arrowsize=0.7];`,
  );
  const nodeLine = (n: DiagramNode, indent: string) => {
    const c = NODE_COLORS[n.kind];
    const shape = n.shape === "cylinder" ? "cylinder" : n.shape === "ellipse" ? "ellipse" : "box";
    const style = shape === "box" ? "rounded,filled" : "filled";
    return `${indent}${dotId(n.id)} [label=${nodeHtml(n)}, shape=${shape}, style="${style}", fillcolor="${c.fill}", color="${c.border}"];`;
  };
  const emitCluster = (c: DiagramCluster, indent: string) => {
    const s = CLUSTER_STYLE[c.kind];
    out.push(`${indent}subgraph ${clusterDotId(c.id)} {`);
    out.push(`${indent}  label=${nodeHtml(c, 12, 9)}; style="${s.style}"; fillcolor="${s.fill}"; color="${s.border}"; penwidth=1.4; margin=12;`);
    for (const n of diagram.nodes.filter((x) => x.cluster === c.id)) out.push(nodeLine(n, `${indent}  `));
    for (const child of diagram.clusters.filter((x) => x.parent === c.id)) emitCluster(child, `${indent}  `);
    out.push(`${indent}}`);
  };
  for (const c of diagram.clusters.filter((x) => !x.parent)) emitCluster(c, "  ");
  for (const n of diagram.nodes.filter((x) => !x.cluster || !clusterIds.has(x.cluster))) out.push(nodeLine(n, "  "));
  // Regional services have no place in the request flow: lay them out as a compact grid (invisible
  // edges, row by row) and let the references to them bend instead of stretching the ranks.
  const services = new Set(diagram.clusters.filter((c) => c.kind === "services").map((c) => c.id));
  const KIND_ORDER: NodeKind[] = ["security", "observability", "storage", "compute", "other", "network", "lb", "database", "dns", "external"];
  // First row: the services that the VPC's resources point at, so those arrows stay short.
  const inGrid = (id: string) => services.has(diagram.nodes.find((n) => n.id === id)?.cluster ?? "");
  const linked = (n: DiagramNode) => diagram.edges.some((e) => e.to === n.id && !inGrid(e.from));
  const grid = diagram.nodes
    .filter((n) => n.cluster && services.has(n.cluster))
    .sort((a, b) => Number(linked(b)) - Number(linked(a)) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  const columns = Math.max(2, Math.ceil(Math.sqrt(grid.length)));
  for (let row = 0; row * columns < grid.length; row++) {
    const cells = grid.slice(row * columns, (row + 1) * columns);
    if (cells.length > 1) out.push(`  { rank=same; ${cells.map((n) => dotId(n.id)).join("; ")}; }`);
    for (let i = 1; i < cells.length; i++) out.push(`  ${dotId(cells[i - 1].id)} -> ${dotId(cells[i].id)} [style=invis];`);
  }
  for (let i = columns; i < grid.length; i++) out.push(`  ${dotId(grid[i - columns].id)} -> ${dotId(grid[i].id)} [style=invis];`);
  // ... below the VPCs: every node of a VPC points invisibly at the grid's first cell.
  const vpcs = new Set(diagram.clusters.filter((c) => c.kind !== "region" && c.kind !== "services" && c.kind !== "external").map((c) => c.id));
  if (grid.length) {
    for (const n of diagram.nodes.filter((x) => x.cluster && vpcs.has(x.cluster))) out.push(`  ${dotId(n.id)} -> ${dotId(grid[0].id)} [style=invis, weight=0];`);
  }
  const inServices = (id: string) => services.has(diagram.nodes.find((n) => n.id === id)?.cluster ?? "") || services.has(id);
  // Edges out of the grid must not pull ranks (the grid sits below everything else).
  const loose = (e: DiagramEdge) => inServices(e.from) && !inServices(e.to);
  const clusterOf = (id: string) => diagram.nodes.find((n) => n.id === id)?.cluster;
  for (const e of diagram.edges) {
    const attrs: string[] = [];
    let from = e.from;
    let to = e.to;
    if (clusterIds.has(e.from)) {
      const a = anchorOf(diagram, e.from);
      if (!a) continue;
      from = a.id;
      attrs.push(`ltail=${clusterDotId(e.from)}`);
    }
    if (clusterIds.has(e.to)) {
      const a = anchorOf(diagram, e.to);
      if (!a) continue;
      to = a.id;
      attrs.push(`lhead=${clusterDotId(e.to)}`);
    }
    const s = EDGE_STYLE[e.kind];
    attrs.push(s.dot, `color="${s.color}"`, `fontcolor="${s.color}"`);
    if (e.label) attrs.push(`label=<${e.kind === "sg" ? `<B>${html(e.label)}</B>` : html(e.label)}>`);
    if (loose(e)) attrs.push("constraint=false");
    else if (clusterOf(e.from) && clusterOf(e.from) === clusterOf(e.to)) attrs.push("weight=6"); // keep neighbours close (service → task definition)
    out.push(`  ${dotId(from)} -> ${dotId(to)} [${attrs.join(", ")}];`);
  }
  // Legend: one row per edge kind that occurs.
  const kinds = (Object.keys(EDGE_STYLE) as EdgeKind[]).filter((k) => diagram.edges.some((e) => e.kind === k));
  if (kinds.length) {
    const rows = kinds
      .map((k) => {
        const s = EDGE_STYLE[k];
        const line = k === "ref" ? "- - - -" : k === "route" ? "· · · · ·" : "———";
        return `<TR><TD ALIGN="LEFT"><FONT COLOR="${s.color}"><B>${line}▶</B></FONT></TD><TD ALIGN="LEFT">${html(s.meaning)}</TD></TR>`;
      })
      .join("");
    out.push(`  legend [shape=plain, style="", label=<<TABLE BORDER="1" COLOR="#AAB7B8" CELLBORDER="0" CELLSPACING="2" CELLPADDING="3"><TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>${rows}</TABLE>>];`);
  }
  out.push("}");
  return out.join("\n") + "\n";
}

const mmText = (s: string) => s.replace(/"/g, "#quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Mermaid flowchart text of the diagram (GitHub renders it inside a ```mermaid block). */
export function toMermaid(diagram: Diagram): string {
  const out: string[] = [];
  const clusterIds = new Set(diagram.clusters.map((c) => c.id));
  out.push(`%% ${diagram.title}; generated by npm run diagram from the synthesized Terraform JSON`);
  out.push("flowchart TB");
  const label = (n: { title: string; details: string[] }) => `"${[`<b>${mmText(n.title)}</b>`, ...n.details.map(mmText)].join("<br/>")}"`;
  const nodeLine = (n: DiagramNode, indent: string) => {
    const text = label(n);
    const shaped = n.shape === "cylinder" ? `[(${text})]` : n.shape === "ellipse" ? `([${text}])` : `[${text}]`;
    return `${indent}${n.id}${shaped}:::${n.kind}`;
  };
  const emitCluster = (c: DiagramCluster, indent: string) => {
    out.push(`${indent}subgraph ${c.id}[${label(c)}]`);
    for (const n of diagram.nodes.filter((x) => x.cluster === c.id)) out.push(nodeLine(n, `${indent}  `));
    for (const child of diagram.clusters.filter((x) => x.parent === c.id)) emitCluster(child, `${indent}  `);
    out.push(`${indent}end`);
  };
  for (const c of diagram.clusters.filter((x) => !x.parent)) emitCluster(c, "  ");
  for (const n of diagram.nodes.filter((x) => !x.cluster || !clusterIds.has(x.cluster))) out.push(nodeLine(n, "  "));
  const arrows: Record<EdgeKind, string> = { sg: "==>", traffic: "-->", ref: "-.->", route: "-.->" };
  const byKind = new Map<EdgeKind, number[]>();
  diagram.edges.forEach((e, i) => {
    out.push(`  ${e.from} ${arrows[e.kind]}${e.label ? `|"${mmText(e.label)}"|` : ""} ${e.to}`);
    byKind.set(e.kind, [...(byKind.get(e.kind) ?? []), i]);
  });
  for (const [kind, indexes] of byKind) {
    out.push(`  linkStyle ${indexes.join(",")} stroke:${EDGE_STYLE[kind].color}${kind === "sg" ? ",stroke-width:2.5px,color:" + EDGE_STYLE[kind].color : ""}`);
  }
  for (const [kind, c] of Object.entries(NODE_COLORS)) out.push(`  classDef ${kind} fill:${c.fill},stroke:${c.border},color:#16191F`);
  for (const c of diagram.clusters) {
    const s = CLUSTER_STYLE[c.kind];
    out.push(`  style ${c.id} fill:${s.fill},stroke:${s.border}${s.style.includes("dashed") ? ",stroke-dasharray:5 5" : ""}`);
  }
  return out.join("\n") + "\n";
}

let vizInstance: ReturnType<typeof instance> | undefined;

/** Lays out and draws DOT as SVG with Graphviz (WebAssembly, no native dependency). */
export async function renderSvg(dot: string): Promise<string> {
  vizInstance ??= instance();
  const viz = await vizInstance;
  // Graphviz sizes text with Helvetica metrics; name the metric-compatible Arial (Liberation Sans on
  // Linux) before the generic family, which on Linux is usually the wider DejaVu Sans and would overflow.
  return viz.renderString(dot, { format: "svg", engine: "dot" }).replace(/font-family="Helvetica,sans-Serif"/g, 'font-family="Helvetica,Arial,sans-serif"');
}

/** Edges whose label mentions `port`, between nodes of the given roles (for checks and tests). */
export function edgesBetween(diagram: Diagram, fromRole: string, toRole: string, kind?: EdgeKind): DiagramEdge[] {
  const role = (id: string) => diagram.nodes.find((n) => n.id === id)?.role;
  return diagram.edges.filter((e) => role(e.from) === fromRole && role(e.to) === toRole && (!kind || e.kind === kind));
}
