/**
 * `npm run synth:hcl` (scripts/synth-hcl.ts): the HCL rendering for human review. Here: the repair of
 * cdktf 0.21's HCL renderer output, on small inputs. That every stack's HCL is valid Terraform and says
 * the same as the JSON is checked in terraform-validate.test.ts, in the same Terraform run as the JSON
 * stacks (one suite: a second suite would only wait for that run, holding a jest worker).
 */
import { escapeTemplate, repairHcl, repairTerraformSettings } from "../scripts/synth-hcl";

describe("repair of cdktf's HCL rendering", () => {
  test("puts the terraform block's plain settings back (cdktf writes `0 = \"required_version\"`), only inside that block", () => {
    const text = ['terraform {', 'required_providers {', '}', '', '  0 = "required_version"', '}', 'locals {', '  0 = "x"', '}'].join("\n");
    const { text: out, repaired } = repairTerraformSettings(text, { required_version: ">= 1.11" });
    expect(repaired).toEqual(["required_version"]);
    expect(out.split("\n")).toEqual(['terraform {', 'required_providers {', '}', '', '  required_version = ">= 1.11"', '}', 'locals {', '  0 = "x"', '}']);
    expect(() => repairTerraformSettings(text, {})).toThrow(/terraform\.required_version/);
  });

  test("escapes quotes and backslashes outside interpolations only", () => {
    expect(escapeTemplate('[{"a":"${x.y}"}]')).toBe('[{\\"a\\":\\"${x.y}\\"}]');
    expect(escapeTemplate('"${lookup(m, "k", "}")}"')).toBe('\\"${lookup(m, "k", "}")}\\"');
    expect(escapeTemplate('{"v":"a\\"b"} ${x}')).toBe('{\\"v\\":\\"a\\\\\\"b\\"} ${x}');
    expect(escapeTemplate('"$${literal}" "%{ if x }"')).toBe('\\"$${literal}\\" \\"%{ if x }\\"');
    expect(escapeTemplate("${a.b}")).toBe("${a.b}");
  });

  test("fixes an unescaped interpolated string and quoted references, and nothing else", () => {
    const input = [
      'resource "aws_ecs_task_definition" "task" {',
      'container_definitions = "[{"name":"x","value":"${aws_db_instance.db.address}"}]"',
      'family = "zenml \\"quoted\\""',
      'provider = "aws.eu"',
      "policy = <<EOF",
      '"Statement": "${data.x.json}",',
      "EOF",
      "depends_on = [",
      '"aws_lb_listener.https",',
      "]",
      "lifecycle {",
      "ignore_changes = [",
      '"desired_count",',
      "]",
      "}",
      "tags = [",
      '"not-a-reference",',
      "]",
      "}",
    ].join("\n");
    const { text, repairs } = repairHcl(input);
    expect(text.split("\n")).toEqual([
      'resource "aws_ecs_task_definition" "task" {',
      'container_definitions = "[{\\"name\\":\\"x\\",\\"value\\":\\"${aws_db_instance.db.address}\\"}]"',
      'family = "zenml \\"quoted\\""',
      "provider = aws.eu",
      "policy = <<EOF",
      '"Statement": "${data.x.json}",',
      "EOF",
      "depends_on = [",
      "aws_lb_listener.https,",
      "]",
      "lifecycle {",
      "ignore_changes = [",
      "desired_count,",
      "]",
      "}",
      "tags = [",
      '"not-a-reference",',
      "]",
      "}",
    ]);
    expect(repairs.map((r) => `${r.line} ${r.attribute} ${r.kind}`)).toEqual([
      "2 container_definitions escaped-quotes",
      "4 provider unquoted-reference",
      "9 depends_on unquoted-reference",
      "13 ignore_changes unquoted-reference",
    ]);
    expect(repairs[0].block).toBe('resource "aws_ecs_task_definition" "task"');
    // Idempotent: repaired text needs no further repair.
    expect(repairHcl(text).repairs).toEqual([]);
  });

  test("turns lifecycle condition lists into blocks", () => {
    const input = [
      'data "aws_subnet" "s" {',
      "lifecycle {",
      "postcondition = [",
      "{",
      'condition = "${self.vpc_id == "vpc-1"}"',
      'error_message = "not in vpc-1"',
      "},",
      "{",
      'condition = "${contains(keys({ a = 1 }), "a")}"',
      'error_message = "x"',
      "},",
      "]",
      "}",
      "}",
    ].join("\n");
    const { text, repairs } = repairHcl(input);
    expect(text.split("\n")).toEqual([
      'data "aws_subnet" "s" {',
      "lifecycle {",
      "postcondition {",
      'condition = "${self.vpc_id == "vpc-1"}"',
      'error_message = "not in vpc-1"',
      "}",
      "postcondition {",
      'condition = "${contains(keys({ a = 1 }), "a")}"',
      'error_message = "x"',
      "}",
      "}",
      "}",
    ]);
    expect(repairs.map((r) => `${r.block}: ${r.attribute} ${r.kind}`)).toEqual(['data "aws_subnet" "s": postcondition condition-blocks']);
    expect(repairHcl(text).repairs).toEqual([]);
  });
});
