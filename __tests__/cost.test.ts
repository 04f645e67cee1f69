/**
 * `npm run cost`: the monthly estimate computed from the synthesized JSON and the dated price table,
 * checked against hand-computed figures for the shipped dev stack, and dev vs prod.
 */
import * as fs from "fs";
import * as path from "path";
import { TfStack } from "../scripts/common/tf-json";
import { runCost } from "../scripts/cost";
import { CostLine, StackCost, estimateStack } from "../scripts/cost/estimate";
import { EU_CENTRAL_1 as P, PRICE_TABLES } from "../scripts/cost/prices";
import { StackJson, configFrom, shippedFile, synthAll, synthShipped, tempDir } from "./helpers";

const shipped = synthShipped();
const asStack = (name: string, s: StackJson): TfStack => ({ name, file: "(memory)", json: JSON.parse(s.raw) });
const dev = estimateStack(asStack("dev", shipped.dev));
const prod = estimateStack(asStack("prod", shipped.prod));

const line = (c: StackCost, item: string): CostLine => {
  const found = c.lines.filter((l) => l.item === item);
  if (found.length !== 1) throw new Error(`${c.stack}: expected one "${item}" line, found ${found.length}`);
  return found[0];
};
const monthly = (c: StackCost, item: string) => line(c, item).monthly;

describe("dev stack, computed by hand from the price table (730 h/month)", () => {
  test("Fargate: 1 task × 0.5 vCPU × 730 h × vCPU price + 1 task × 1 GB × 730 h × GB price", () => {
    expect(monthly(dev, "Fargate vCPU")).toBeCloseTo(0.5 * 730 * P.fargateVcpuHour.X86_64.usd, 6);
    expect(monthly(dev, "Fargate memory")).toBeCloseTo(1 * 730 * P.fargateGbHour.X86_64.usd, 6);
    expect(monthly(dev, "Fargate vCPU") + monthly(dev, "Fargate memory")).toBeCloseTo(0.5 * 730 * 0.04656 + 1 * 730 * 0.00511, 6); // 16.99 + 3.73
  });

  test("one NAT gateway, one ALB, 3 public IPv4 addresses (NAT EIP + one per ALB AZ)", () => {
    expect(monthly(dev, "NAT gateway hours")).toBeCloseTo(1 * 730 * 0.052, 6);
    expect(monthly(dev, "ALB hours")).toBeCloseTo(730 * 0.027, 6);
    expect(monthly(dev, "public IPv4 addresses")).toBeCloseTo(3 * 730 * 0.005, 6);
  });

  test("RDS db.t3.micro Single-AZ, 100 GB gp3, backups within the free allowance", () => {
    expect(monthly(dev, "RDS instance")).toBeCloseTo(730 * P.rdsMysqlInstanceHour["db.t3.micro"].usd, 6);
    expect(monthly(dev, "RDS storage gp3")).toBeCloseTo(100 * P.rdsGp3GbMonth.usd, 6);
    expect(monthly(dev, "RDS backup storage")).toBe(0);
    expect(dev.lines.some((l) => l.item === "Performance Insights")).toBe(false); // off on micro classes
  });

  test("4 secrets (OAuth2, JWT signing key, secrets-store key, RDS-managed master), 1 KMS key, 13 alarms = 14 alarm metrics (metric math counts per metric)", () => {
    expect(monthly(dev, "Secrets Manager secrets")).toBeCloseTo(4 * 0.4, 6);
    expect(monthly(dev, "KMS keys")).toBeCloseTo(1, 6);
    expect(line(dev, "alarms").quantity).toBe("13 alarms = 14 alarm metrics");
    expect(monthly(dev, "alarms")).toBeCloseTo(14 * 0.1, 6);
  });

  test("the total is the sum of the lines", () => {
    expect(dev.total).toBeCloseTo(dev.lines.reduce((s, l) => s + l.monthly, 0), 6);
    expect(dev.lines.every((l) => Number.isFinite(l.monthly) && l.monthly >= 0)).toBe(true);
  });
});

describe("prod vs dev", () => {
  test("prod costs more than dev", () => {
    expect(prod.total).toBeGreaterThan(dev.total);
  });

  test("NAT gateways counted per AZ: 2 in prod, 1 in dev", () => {
    const nats = (s: StackJson) => Object.keys(s.resource.aws_nat_gateway ?? {}).length;
    expect(nats(shipped.prod)).toBe(2);
    expect(monthly(prod, "NAT gateway hours")).toBeCloseTo(2 * 730 * 0.052, 6);
    expect(monthly(prod, "NAT gateway hours")).toBeCloseTo(2 * monthly(dev, "NAT gateway hours"), 6);
    expect(monthly(prod, "public IPv4 addresses")).toBeCloseTo(4 * 730 * 0.005, 6);
  });

  test("Fargate uses the autoscaling minimum (2 tasks) and notes the scale-out headroom", () => {
    expect(line(prod, "Fargate vCPU").quantity).toBe("2 tasks (autoscaling min) × 0.5 vCPU × 730 h");
    expect(monthly(prod, "Fargate vCPU")).toBeCloseTo(2 * 0.5 * 730 * 0.04656, 6);
    expect(prod.notes.join("\n")).toMatch(/can scale out to 6 tasks: up to \+\$\d+\.\d\d\/month/);
  });

  test("Multi-AZ doubles the RDS instance line and the storage line", () => {
    const doc = shippedFile("prod");
    doc.database = { ...(doc.database ?? {}), multiAz: false };
    const single = estimateStack(asStack("prod", synthAll([configFrom(doc, "prod")]).prod));
    expect(monthly(prod, "RDS instance")).toBeCloseTo(2 * monthly(single, "RDS instance"), 6);
    expect(monthly(prod, "RDS instance")).toBeCloseTo(2 * 730 * P.rdsMysqlInstanceHour["db.m6g.large"].usd, 6);
    expect(monthly(prod, "RDS storage gp3")).toBeCloseTo(2 * monthly(single, "RDS storage gp3"), 6);
    expect(line(prod, "RDS instance").quantity).toContain("Multi-AZ (2 instances)");
  });

  test("Performance Insights (7 days) is free and listed; enhanced monitoring is priced as log ingestion", () => {
    expect(monthly(prod, "Performance Insights")).toBe(0);
    const em = line(prod, "enhanced monitoring");
    expect(em.assumed).toBe(true);
    expect(em.monthly).toBeGreaterThan(0);
    expect(em.monthly).toBeLessThan(5);
  });
});

describe("price table", () => {
  test("is dated and every price names its source page", () => {
    for (const table of Object.values(PRICE_TABLES)) {
      expect(table.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const prices: any[] = [];
      const walk = (v: any) => {
        if (v && typeof v === "object" && "usd" in v) prices.push(v);
        else if (v && typeof v === "object") Object.values(v).forEach(walk);
      };
      walk(table);
      expect(prices.length).toBeGreaterThan(20);
      for (const p of prices) {
        expect(p.usd).toBeGreaterThan(0);
        expect(p.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
      }
    }
  });

  test("an RDS class missing from the table is reported, not silently zero", () => {
    const json = JSON.parse(shipped.dev.raw);
    Object.values<any>(json.resource.aws_db_instance)[0].instance_class = "db.x2g.16xlarge";
    const c = estimateStack({ name: "odd", file: "(memory)", json });
    expect(Number.isNaN(monthly(c, "RDS instance"))).toBe(true);
    expect(c.notes.join("\n")).toContain("db.x2g.16xlarge is not in the price table");
  });
});

describe("npm run cost", () => {
  const dir = tempDir("cost-");
  for (const [name, s] of Object.entries(shipped)) {
    fs.mkdirSync(path.join(dir, "stacks", name), { recursive: true });
    fs.writeFileSync(path.join(dir, "stacks", name, "cdk.tf.json"), s.raw);
  }
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("text: a table per stack, the dev/prod comparison, the dated prices and the assumptions", () => {
    const text = runCost(["--stack", "dev,prod", dir]);
    expect(text).toContain("== dev (eu-central-1)");
    expect(text).toContain("== prod (eu-central-1)");
    expect(text).toMatch(/== comparison, USD per month\n\ngroup\s+item\s+dev\s+prod\s+prod − dev/);
    expect(text).toMatch(/RDS instance\s+14\.60\s+256\.96\s+\+242\.36/);
    expect(text).toMatch(/NAT gateway hours\s+37\.96\s+75\.92/);
    expect(text).toContain(`transcribed ${P.asOf}`);
    expect(text).toContain("730 hours per month");
  });

  test("json: per-stack lines and totals, prices and assumptions", () => {
    const report = JSON.parse(runCost(["--format", "json", dir]));
    expect(report.currency).toBe("USD");
    expect(report.prices[0].asOf).toBe(P.asOf);
    expect(report.assumptions.hoursPerMonth).toBe(730);
    expect(report.stacks.map((s: StackCost) => s.stack)).toEqual(expect.arrayContaining(["dev", "prod"]));
    expect(report.comparison.prod).toBeCloseTo(prod.total, 6);
    expect(report.stacks[0].lines.find((l: CostLine) => l.item === "Fargate vCPU").monthly).toBeCloseTo(0.5 * 730 * 0.04656, 6);
  });

  test("markdown renders tables; a bad format is an error", () => {
    expect(runCost(["--format", "markdown", "--stack", "dev", dir])).toContain("| group | item | quantity | rate | USD/month |");
    expect(() => runCost(["--format", "yaml", dir])).toThrow(`--format must be one of text, markdown, json, got "yaml"`);
  });
});
