// The cdktf package as another project gets it: `npm pack`, install the tarball into a fresh
// consumer next to the peer packages, compile the consumer with plain tsc (strict,
// exactOptionalPropertyTypes, no skipLibCheck) and synthesize. Offline only: the peers are linked
// from this repository's node_modules, npm gets an empty cache and an unreachable registry, so
// anything that would need the network fails instead of passing by luck.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";

const ROOT = join(__dirname, "..");
const PEERS = ["cdktf", "constructs", "@cdktf/provider-aws", "@cdktf/provider-archive"] as const;
const BUNDLES = ["lib/modules/library/bundles/request.js", "lib/modules/library/bundles/response.js"];
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

interface PackageJson {
  name: string;
  version: string;
  main?: string;
  types?: string;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

const work = mkdtempSync(join(tmpdir(), "wallarm-pack-"));
/** npm with no usable cache and a registry that refuses connections: offline by construction. */
const npmEnv: NodeJS.ProcessEnv = {
  ...process.env,
  npm_config_cache: join(work, "npm-cache"),
  npm_config_registry: "http://127.0.0.1:9/",
  npm_config_offline: "true",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
};

function npm(args: string[], cwd: string): string {
  const run = spawnSync("npm", args, { cwd, env: npmEnv, encoding: "utf8", timeout: 180_000 });
  if (run.status !== 0) throw new Error(`npm ${args.join(" ")} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

const pkg = readJson<PackageJson>(join(ROOT, "package.json"));
let packed: PackResult;
let tarball: string;

beforeAll(() => {
  // The tarball ships lib/, which only `npm run build` makes; build from the current sources so
  // the test never packs a stale lib/.
  npm(["run", "build"], ROOT);
  const out = npm(["pack", "--json", "--ignore-scripts", "--pack-destination", work], ROOT);
  [packed] = JSON.parse(out) as PackResult[];
  tarball = join(work, packed.filename);
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("npm pack", () => {
  it("ships compiled JavaScript with .d.ts, the handler bundles and the docs, nothing else", () => {
    const files = packed.files.map((f) => f.path).sort();
    expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "LICENSE", "CHANGELOG.md", ...BUNDLES]));
    expect(files).toEqual(
      expect.arrayContaining([
        "lib/modules/library/index.js",
        "lib/modules/library/index.d.ts",
        "lib/handlers/config.js",
        "lib/handlers/config.d.ts",
      ]),
    );
    // Every library .js has its .d.ts: a consumer's tsc must never fall back to implicit any.
    for (const js of files.filter((f) => f.startsWith("lib/") && f.endsWith(".js") && !BUNDLES.includes(f))) {
      expect(files).toContain(js.replace(/\.js$/, ".d.ts"));
    }
    const stray = files.filter(
      (f) =>
        !["package.json", "README.md", "LICENSE", "CHANGELOG.md", ...BUNDLES].includes(f) &&
        !(f.startsWith("lib/") && (f.endsWith(".js") || f.endsWith(".d.ts"))),
    );
    expect(stray).toEqual([]);
    expect(files.filter((f) => /(^|\/)(__tests__|tools|scripts)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    // The library is modules/library/ and what it imports; the generator and tools are not.
    expect(files.filter((f) => /^lib\/(tools|scripts|__tests__|modules\/generator)\//.test(f))).toEqual([]);
  });

  it("points main, types and exports at files the tarball has, and needs only peers at run time", () => {
    const files = new Set(packed.files.map((f) => f.path));
    expect(pkg.main).toBe("lib/modules/library/index.js");
    expect(pkg.types).toBe("lib/modules/library/index.d.ts");
    expect(files.has(pkg.main ?? "")).toBe(true);
    expect(files.has(pkg.types ?? "")).toBe(true);
    expect(pkg.exports?.["."]).toEqual({ types: "./lib/modules/library/index.d.ts", default: "./lib/modules/library/index.js" });
    // Peers with ranges, no regular dependencies: the consumer's cdktf and providers are used,
    // never a second copy whose constructs fail `instanceof` across copies.
    expect(pkg.dependencies ?? {}).toEqual({});
    for (const peer of PEERS) {
      expect(pkg.peerDependencies?.[peer]).toMatch(/^[\^~>]/);
      // ...and the repository still builds against an installed copy.
      expect(pkg.devDependencies?.[peer]).toBeDefined();
    }
    // Every require() of the compiled library is relative, a Node built-in or a peer: anything
    // else (esbuild, @cdktf/hcl2json) would be missing in a consumer's node_modules.
    const libDir = join(ROOT, "lib");
    const requires = [...files]
      .filter((f) => f.startsWith("lib/") && f.endsWith(".js"))
      .flatMap((f) => [...readFileSync(join(libDir, relative("lib", f)), "utf8").matchAll(/require\("([^"]+)"\)/g)])
      .map((m) => m[1] ?? "");
    expect(requires.length).toBeGreaterThan(0);
    const foreign = requires.filter(
      (spec) => !spec.startsWith(".") && !spec.startsWith("node:") && !PEERS.some((p) => spec === p || spec.startsWith(`${p}/`)),
    );
    expect(foreign).toEqual([]);
  });
});

describe("an installed package in a consumer project", () => {
  let consumer: string;
  /** The default-bundleDir consumer, compiled by the compile test. */
  let defaultBundlesJs = "";
  const DEFAULT_BUNDLES_SOURCE = [
    `import { App } from "cdktf";`,
    `import { WallarmConnectorStack } from "${pkg.name}";`,
    `const app = new App({ outdir: process.argv[2] ?? "cdktf.out" });`,
    `new WallarmConnectorStack(app, "edge", { wallarmNodeUrl: "https://node.example.com", originDomainName: "api.example.com" });`,
    `app.synth();`,
    ``,
  ].join("\n");

  beforeAll(() => {
    consumer = join(work, "consumer");
    mkdirSync(consumer);
    // A cdktf app always has cdktf.json at its root (the CLI needs it).
    writeFileSync(join(consumer, "cdktf.json"), JSON.stringify({ language: "typescript", app: "node dist/main.js" }));
    // The peers as file: links to this repository's copies: a real install of the versions the
    // repository tests, without the network. npm checks the peer ranges against them.
    const dependencies = Object.fromEntries(PEERS.map((p) => [p, `file:${join(ROOT, "node_modules", p)}`]));
    writeFileSync(
      join(consumer, "package.json"),
      JSON.stringify({ name: "consumer", version: "1.0.0", private: true, dependencies }, null, 2),
    );
    npm(["install", "--no-save", "--no-package-lock", "--ignore-scripts", tarball], consumer);
  }, 180_000);

  /** Compiles one consumer source with the repository's tsc as a strict consumer would. */
  function compile(name: string, source: string, moduleResolution: "node16" | "node10"): string {
    const dir = join(consumer, name);
    mkdirSync(dir);
    writeFileSync(join(dir, "main.ts"), source);
    const tsconfig = {
      compilerOptions: {
        target: "ES2022",
        module: moduleResolution === "node16" ? "node16" : "commonjs",
        moduleResolution,
        strict: true,
        exactOptionalPropertyTypes: true,
        // The package's .d.ts must hold up without skipLibCheck.
        skipLibCheck: false,
        types: ["node"],
        typeRoots: [join(ROOT, "node_modules", "@types")],
        outDir: "dist",
      },
      files: ["main.ts"],
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
    const run = spawnSync(process.execPath, [TSC, "-p", "tsconfig.json"], { cwd: dir, encoding: "utf8", timeout: 120_000 });
    if (run.status !== 0) throw new Error(`tsc failed for ${name}:\n${run.stdout}\n${run.stderr}`);
    return join(dir, "dist", "main.js");
  }

  /** Runs compiled consumer JS and returns the synthesized stack's Terraform JSON. */
  function synth(mainJs: string): { config: TfJson; outdir: string } {
    const outdir = join(dirname(mainJs), "..", "cdktf.out");
    execFileSync(process.execPath, [mainJs, outdir], { cwd: consumer, encoding: "utf8", stdio: "pipe" });
    return { config: readJson<TfJson>(join(outdir, "stacks", "edge", "cdk.tf.json")), outdir };
  }

  interface TfJson {
    resource: Record<string, Record<string, Record<string, unknown>>>;
    data?: Record<string, Record<string, Record<string, unknown>>>;
    locals?: Record<string, unknown>;
  }

  /** Function names by connector, from the settings local each connector's for_each runs over. */
  const functionNames = (config: TfJson) =>
    Object.values(config.locals ?? {}).flatMap((value) =>
      typeof value === "object" && value !== null && "request" in value && "response" in value
        ? Object.values(value as Record<string, { name: string }>).map((f) => f.name)
        : [],
    );

  /** Checks that the stack deploys the very bundles this package shipped. */
  function expectShippedBundles(config: TfJson, outdir: string): void {
    expect(Object.keys(config.resource["aws_lambda_function"] ?? {})).toEqual(["this"]);
    const assets = join(outdir, "stacks", "edge", "assets", "bundles");
    const [hash] = readdirSync(assets);
    for (const bundle of BUNDLES) {
      const name = bundle.split("/").pop() ?? "";
      const installed = join(consumer, "node_modules", pkg.name, bundle);
      expect(readFileSync(join(assets, hash ?? "", name), "utf8")).toBe(readFileSync(installed, "utf8"));
    }
  }

  it("installs offline with its peers satisfied", () => {
    const installed = readJson<PackageJson>(join(consumer, "node_modules", pkg.name, "package.json"));
    expect(installed.version).toBe(pkg.version);
    for (const bundle of BUNDLES) expect(existsSync(join(consumer, "node_modules", pkg.name, bundle))).toBe(true);
    // npm ls fails on a missing or out-of-range peer.
    expect(() => npm(["ls", "--all", pkg.name, ...PEERS], consumer)).not.toThrow();
  });

  it("compiles with plain tsc (strict, exactOptionalPropertyTypes, node16 and node10 resolution) and synthesizes", () => {
    const source = [
      `import { App } from "cdktf";`,
      `import { dirname, join } from "node:path";`,
      `import { WallarmConnectorStack, type WallarmConnectorStackProps } from "${pkg.name}";`,
      // The bundles located from the installed package itself, as the README tells cdktf users.
      `const packageDir = dirname(require.resolve("${pkg.name}/package.json"));`,
      `const props: WallarmConnectorStackProps = {`,
      `  wallarmNodeUrl: "https://node.example.com",`,
      `  originDomainName: "api.example.com",`,
      `  mode: "async",`,
      `  trigger: "viewer",`,
      `  bundleDir: join(packageDir, "lib", "modules", "library", "bundles"),`,
      `};`,
      // Real types, not any: a mode outside the union must not compile.
      `// @ts-expect-error "blocking" is not a mode`,
      `const wrong: WallarmConnectorStackProps = { wallarmNodeUrl: "https://n.example.com", originDomainName: "a.example.com", mode: "blocking" };`,
      `void wrong;`,
      `const app = new App({ outdir: process.argv[2] ?? "cdktf.out" });`,
      `new WallarmConnectorStack(app, "edge", props);`,
      `app.synth();`,
      ``,
    ].join("\n");
    for (const resolution of ["node16", "node10"] as const) {
      const { config, outdir } = synth(compile(`explicit-${resolution}`, source, resolution));
      expectShippedBundles(config, outdir);
      expect(functionNames(config)).toEqual(["wallarm-connector-request", "wallarm-connector-response"]);
    }
    // Compiled here, where a compile error fails, so the `.failing` case below can only pass
    // (i.e. fail) at synth.
    defaultBundlesJs = compile("default-bundles", DEFAULT_BUNDLES_SOURCE, "node16");
  }, 120_000);

  // The README's cdktf example: the construct in the user's own stack, with the user's us-east-1
  // provider, its associations typed straight into a CloudfrontDistribution, twice.
  it("WallarmConnector compiles in a user's own stack and synthesizes with its bundles", () => {
    const source = [
      `import { App, TerraformStack } from "cdktf";`,
      `import { AwsProvider } from "@cdktf/provider-aws/lib/provider";`,
      `import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";`,
      `import { WallarmConnector } from "${pkg.name}";`,
      `const app = new App({ outdir: process.argv[2] ?? "cdktf.out" });`,
      `const stack = new TerraformStack(app, "edge");`,
      `new AwsProvider(stack, "aws", { region: "eu-west-1" });`,
      `const usEast1 = new AwsProvider(stack, "us_east_1", { region: "us-east-1", alias: "us_east_1" });`,
      `const shop = new WallarmConnector(stack, "shop", { namePrefix: "shop", wallarmNodeUrl: "https://node.example.com", provider: usEast1 });`,
      `new WallarmConnector(stack, "blog", { namePrefix: "blog", wallarmNodeUrl: "https://node.example.com", provider: usEast1, skipExtensions: ["png"] });`,
      `new CloudfrontDistribution(stack, "site", {`,
      `  enabled: true,`,
      `  origin: [{ originId: "o", domainName: "origin.example.com" }],`,
      `  defaultCacheBehavior: {`,
      `    targetOriginId: "o", viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"],`,
      `    cachePolicyId: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",`,
      `    lambdaFunctionAssociation: shop.lambdaFunctionAssociations,`,
      `  },`,
      `  restrictions: { geoRestriction: { restrictionType: "none" } },`,
      `  viewerCertificate: { cloudfrontDefaultCertificate: true },`,
      `});`,
      `app.synth();`,
      ``,
    ].join("\n");
    const { config, outdir } = synth(compile("user-stack", source, "node16"));
    expect(functionNames(config).sort()).toEqual(["blog-request", "blog-response", "shop-request", "shop-response"]);
    const assets = readdirSync(join(outdir, "stacks", "edge", "assets"));
    expect(assets).toHaveLength(2); // one bundle folder per connector
    for (const asset of assets) {
      const [hash] = readdirSync(join(outdir, "stacks", "edge", "assets", asset));
      for (const bundle of BUNDLES) {
        const installed = join(consumer, "node_modules", pkg.name, bundle);
        const shipped = join(outdir, "stacks", "edge", "assets", asset, hash ?? "", bundle.split("/").pop() ?? "");
        expect(readFileSync(shipped, "utf8")).toBe(readFileSync(installed, "utf8"));
      }
    }
  }, 120_000);

  // Without bundleDir the stack takes the bundles beside the library's own files
  // (lib/modules/library/bundles), never the consumer's project.
  it("synthesizes with the default bundleDir, finding the bundles inside the installed package", () => {
    expect(defaultBundlesJs).not.toBe("");
    const { config, outdir } = synth(defaultBundlesJs);
    expectShippedBundles(config, outdir);
  }, 120_000);
});
