/**
 * A node's run hash is what a later pass compares with the hash stored next to an earlier output:
 * it must stay the same text hashed (stableJson of {v, config, inputs}), whether or not the
 * node's configuration part was computed before.
 */
import { createHash } from "node:crypto";
import { nodeRunHash } from "../src/engine/node-hash";
import { nodeConfig, stableJson } from "../src/flow/node-config";
import type { NodeOutput } from "../src/engine/types";
import { flowOf, input, output, text } from "./support/flows";

const expected = (config: unknown, inputs: unknown): string =>
  createHash("sha256")
    .update(stableJson({ v: 1, config, inputs }))
    .digest("hex")
    .slice(0, 32);

describe("nodeRunHash", () => {
  const flow = flowOf([input("title"), text("a", "write about {{title}}", { system: "be brief" }), output("out", "A")], "title>a a>out");
  const node = (id: string) => flow.nodes.find((n) => n.id === id) as (typeof flow.nodes)[number];
  const outputs = (title: string) => new Map<string, NodeOutput>([["title", { kind: "text", text: title }]]);

  it("hashes the node's configuration and resolved inputs, the same on every call", () => {
    const a = node("a");
    const first = nodeRunHash(a, outputs("cats"), { title: "cats" });
    expect(first).toBe(expected(nodeConfig(a), { prompt: "write about cats", system: "be brief" }));
    expect(nodeRunHash(a, outputs("cats"), { title: "cats" })).toBe(first);
    expect(nodeRunHash(a, outputs("dogs"), { title: "dogs" })).toBe(expected(nodeConfig(a), { prompt: "write about dogs", system: "be brief" }));
    expect(nodeRunHash(node("title"), outputs("cats"), { title: "cats" })).toBe(expected(nodeConfig(node("title")), { cell: "cats" }));
    expect(nodeRunHash(node("out"), outputs("cats"), { title: "cats" })).toBeUndefined();
  });

  it("gives another node of the same shape but another configuration another hash", () => {
    const other = flowOf([input("title"), text("a", "write about {{title}}", { system: "be long" }), output("out", "A")], "title>a a>out");
    const a2 = other.nodes.find((n) => n.id === "a") as (typeof other.nodes)[number];
    expect(nodeRunHash(a2, outputs("cats"), { title: "cats" })).not.toBe(nodeRunHash(node("a"), outputs("cats"), { title: "cats" }));
  });
});
