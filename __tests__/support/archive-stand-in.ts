// hashicorp/archive is not in the local provider mirror, so a test that applies the modules
// swaps each `data "archive_file"` for a built-in data source that builds the same zip from the
// same inputs: a `terraform_remote_state` with the `http` backend, whose address carries the
// archive's type, output_path and source blocks (content and filename) to a server in the test
// process. The server writes the zip where output_path says (deterministic bytes) and answers
// with the archive's outputs (output_path, output_base64sha256, ...) as state outputs. Being a
// data source with the same arguments, it is read when the archive would be: at plan when its
// inputs are known and nothing it depends on changes, otherwise at apply. withArchiveStandInJson
// does the same to a configuration cdktf synthesized (cdk.tf.json).
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, isAbsolute } from "node:path";
import { type ZipEntry, writeZip } from "./zip";

/** One zip the stand-in wrote. */
export interface ArchiveBuild {
  /** output_path as the module gave it (relative to the root module's working directory). */
  readonly outputPath: string;
  /** Where the file is. */
  readonly absolutePath: string;
  readonly entries: readonly ZipEntry[];
  /** base64 SHA-256 of the zip, the archive's output_base64sha256 and Lambda's CodeSha256. */
  readonly base64sha256: string;
}

export interface ArchiveStandIn {
  readonly url: string;
  /** Every zip built, oldest first (a zip read at each plan is built again, with the same bytes). */
  readonly builds: ArchiveBuild[];
  /** The build whose bytes Lambda reports as CodeSha256. */
  byHash(base64sha256: string): ArchiveBuild | undefined;
  close(): Promise<void>;
}

interface Spec {
  type: string;
  output_path: string;
  absolute_path: string;
  sources: Array<{ filename: string; content: string }>;
}

const hash = (algorithm: string, data: Buffer, encoding: "hex" | "base64") => createHash(algorithm).update(data).digest(encoding);

export async function startArchiveStandIn(): Promise<ArchiveStandIn> {
  const builds: ArchiveBuild[] = [];
  // The address carries the whole bundle: allow long request lines.
  const server: Server = createServer({ maxHeaderSize: 16 * 1024 * 1024 }, (request, response) => {
    try {
      const spec = JSON.parse(
        Buffer.from(new URL(request.url ?? "/", "http://stand-in").searchParams.get("spec") ?? "", "base64").toString("utf8"),
      ) as Spec;
      if (spec.type !== "zip") throw new Error(`archive type ${spec.type} is not zip`);
      if (!isAbsolute(spec.absolute_path)) throw new Error(`${spec.absolute_path} is not absolute`);
      const entries = spec.sources.map((s) => ({ name: s.filename, data: Buffer.from(s.content, "base64") }));
      const zip = writeZip(entries);
      mkdirSync(dirname(spec.absolute_path), { recursive: true });
      writeFileSync(spec.absolute_path, zip);
      const base64sha256 = hash("sha256", zip, "base64");
      builds.push({ outputPath: spec.output_path, absolutePath: spec.absolute_path, entries, base64sha256 });
      const output = (value: string | number) => ({ value, type: typeof value === "number" ? "number" : "string" });
      response.setHeader("content-type", "application/json");
      response.end(
        JSON.stringify({
          version: 4,
          terraform_version: "1.9.0",
          serial: 1,
          lineage: "archive-stand-in",
          resources: [],
          outputs: {
            id: output(hash("sha1", zip, "hex")),
            output_path: output(spec.output_path),
            output_size: output(zip.length),
            output_md5: output(hash("md5", zip, "hex")),
            output_sha: output(hash("sha1", zip, "hex")),
            output_sha256: output(hash("sha256", zip, "hex")),
            output_base64sha256: output(base64sha256),
            output_base64sha512: output(hash("sha512", zip, "base64")),
          },
        }),
      );
    } catch (error) {
      response.statusCode = 500;
      response.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    builds,
    byHash: (base64sha256) => [...builds].reverse().find((b) => b.base64sha256 === base64sha256),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Attributes of data "archive_file" the stand-in knows; anything else fails loudly. */
const KNOWN_ARGUMENTS = new Set(["count", "for_each", "type", "output_path"]);

/**
 * main.tf with every `data "archive_file"` replaced by the stand-in at `url`, with the same
 * count/for_each, type, output_path and sources, and references to its outputs following.
 */
export function withArchiveStandIn(mainTf: string, url: string): string {
  const blocks = /^data "archive_file" "(\w+)" \{\n([\s\S]*?)^\}\n/gm;
  const replaced = mainTf.replace(blocks, (_block, name: string, body: string) => {
    const sources = [...body.matchAll(/^ {2}source \{\n([\s\S]*?)^ {2}\}\n/gm)].map(([, source]) => {
      const content = source.match(/^ {4}content += (.*)$/m)?.[1];
      const filename = source.match(/^ {4}filename += (.*)$/m)?.[1];
      if (!content || !filename || source.trim().split("\n").length !== 2) throw new Error(`archive_file.${name}: unexpected source block`);
      return `        { filename = ${filename}, content = base64encode(${content}) },\n`;
    });
    const topLevel = body.replace(/^ {2}source \{\n[\s\S]*?^ {2}\}\n/gm, "");
    const argument = (key: string) => topLevel.match(new RegExp(`^ {2}${key} += (.*)$`, "m"))?.[1];
    for (const [, key] of topLevel.matchAll(/^ {2}(\w+) +=/gm)) {
      if (!KNOWN_ARGUMENTS.has(key)) throw new Error(`archive_file.${name}: the stand-in does not know ${key}`);
    }
    const meta = ["count", "for_each"].filter((key) => argument(key)).map((key) => `  ${key} = ${argument(key)}\n\n`);
    const outputPath = argument("output_path");
    if (!outputPath || sources.length === 0) throw new Error(`archive_file.${name} has no output_path or no source`);
    return `# Test stand-in for data "archive_file" "${name}": builds the same zip from the same inputs.
data "terraform_remote_state" "${name}" {
${meta.join("")}  backend = "http"
  config = {
    address = "${url}/zip?spec=\${urlencode(base64encode(jsonencode({
      type          = ${argument("type")}
      output_path   = ${outputPath}
      absolute_path = abspath(${outputPath})
      sources = [
${sources.join("")}      ]
    })))}"
  }
}
`;
  });
  if (replaced === mainTf) throw new Error('main.tf has no data "archive_file"');
  const result = replaced.replace(/data\.archive_file\.(\w+)((?:\[[^\]]*\])?)\.(\w+)/g, "data.terraform_remote_state.$1$2.outputs.$3");
  if (result.includes("data.archive_file")) throw new Error("a reference to data.archive_file is left");
  return result;
}

/** versions.tf without hashicorp/archive in required_providers (the stand-in replaces it). */
export function withoutArchiveProvider(versionsTf: string): string {
  return versionsTf.replace(/^ {4}archive = \{[^}]*\}\n/m, "");
}

/** A Terraform JSON configuration (cdktf's cdk.tf.json), the parts the stand-in rewrites. */
export interface TerraformJson {
  terraform?: {
    required_providers?: Record<string, { source?: string; version?: string }>;
    backend?: Record<string, Record<string, unknown>>;
  };
  provider?: Record<string, Array<Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  [block: string]: unknown;
}

/** Arguments of an archive_file block in JSON the stand-in knows ("//" is cdktf's metadata). */
const KNOWN_JSON_ARGUMENTS = new Set(["//", "count", "for_each", "type", "output_path", "source"]);

/** A JSON string value (a template in Terraform's JSON syntax) as an HCL expression with the same value. */
const asExpression = (value: unknown): string => {
  if (typeof value !== "string") throw new Error(`archive_file argument ${JSON.stringify(value)} is not a string`);
  return JSON.stringify(value);
};

/**
 * withArchiveStandIn for a synthesized JSON configuration (cdktf's cdk.tf.json): every
 * `data.archive_file` becomes the same stand-in, references follow, and hashicorp/archive is
 * dropped from required_providers and the provider blocks.
 */
export function withArchiveStandInJson(config: TerraformJson, url: string): TerraformJson {
  const archives = config.data?.archive_file;
  if (!archives) throw new Error("the configuration has no data.archive_file");
  const standIns = Object.fromEntries(
    Object.entries(archives).map(([name, block]) => {
      for (const key of Object.keys(block)) {
        if (!KNOWN_JSON_ARGUMENTS.has(key)) throw new Error(`archive_file.${name}: the stand-in does not know ${key}`);
      }
      const sources = [block.source ?? []].flat() as Array<Record<string, unknown>>;
      if (block.output_path === undefined || sources.length === 0) throw new Error(`archive_file.${name} has no output_path or no source`);
      const outputPath = asExpression(block.output_path);
      const spec = [
        `type = ${asExpression(block.type)}`,
        `output_path = ${outputPath}`,
        `absolute_path = abspath(${outputPath})`,
        `sources = [${sources.map((s) => `{ filename = ${asExpression(s.filename)}, content = base64encode(${asExpression(s.content)}) }`).join(", ")}]`,
      ];
      const meta = Object.fromEntries(["//", "count", "for_each"].filter((key) => key in block).map((key) => [key, block[key]]));
      return [
        name,
        {
          ...meta,
          backend: "http",
          config: { address: `${url}/zip?spec=\${urlencode(base64encode(jsonencode({ ${spec.join(", ")} })))}` },
        },
      ];
    }),
  );
  const { archive_file: _archives, ...otherData } = config.data ?? {};
  const { archive: _provider, ...providers } = config.provider ?? {};
  const { archive: _required, ...required } = config.terraform?.required_providers ?? {};
  const rewritten: TerraformJson = {
    ...config,
    terraform: { ...config.terraform, required_providers: required },
    provider: providers,
    data: { ...otherData, terraform_remote_state: { ...otherData.terraform_remote_state, ...standIns } },
  };
  const text = JSON.stringify(rewritten).replace(
    /data\.archive_file\.(\w+)((?:\[[^\]]*\])?)\.(\w+)/g,
    "data.terraform_remote_state.$1$2.outputs.$3",
  );
  if (text.includes("data.archive_file")) throw new Error("a reference to data.archive_file is left");
  return JSON.parse(text) as TerraformJson;
}
