// handlers/nodes.ts: which nodes a function instance uses, in which order.
import { nodeUrls } from "../../handlers/nodes";

const config = {
  wallarm_node_url: "https://central.example.com/waf",
  node_urls_by_region: {
    "eu-west-1": ["https://eu-1.example.com", "https://eu-2.example.com"],
    "ap-northeast-1": ["https://central.example.com/waf"],
  },
};
const hrefs = (region: string | undefined): string[] => nodeUrls(config, region).map((url) => url.href);

test("a listed region's nodes come first, in order, then wallarm_node_url", () => {
  expect(hrefs("eu-west-1")).toEqual(["https://eu-1.example.com/", "https://eu-2.example.com/", "https://central.example.com/waf"]);
});

test("a region without nodes, or no region at all, uses wallarm_node_url alone", () => {
  expect(hrefs("us-east-1")).toEqual(["https://central.example.com/waf"]);
  expect(hrefs(undefined)).toEqual(["https://central.example.com/waf"]);
});

test("a node listed twice is used once, at its first place", () => {
  expect(hrefs("ap-northeast-1")).toEqual(["https://central.example.com/waf"]);
});

test("a region named like an object property is just a region without nodes", () => {
  expect(hrefs("constructor")).toEqual(["https://central.example.com/waf"]);
  expect(hrefs("__proto__")).toEqual(["https://central.example.com/waf"]);
});
