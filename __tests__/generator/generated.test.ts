// generated/ is what Terraform users consume: it must match the sources, parse as HCL,
// reference only what it declares, and satisfy terraform itself where terraform is here.
import { parse } from "@cdktf/hcl2json";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { bundleHandlers } from "../../modules/generator/bundle-handlers";
import { GENERATED_DIR, renderModules } from "../../modules/generator/render-modules";
import { copyToTemp, mirroredProviders, offlineEnv, requiredProviders, terraform, terraformBinary } from "../support/terraform";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const generatedFiles = filesUnder(GENERATED_DIR).map((file) => relative(GENERATED_DIR, file));
const tfFiles = generatedFiles.filter((file) => file.endsWith(".tf"));
const moduleDirs = [...new Set(tfFiles.map((file) => join(file, "..")))].sort();

describe("generated/ against the sources", () => {
  const rendered = renderModules();

  it("holds every module and example of the registry layout", () => {
    for (const dir of [".", "modules/lambda-edge", "modules/iam-trust", "modules/distribution-association"]) {
      for (const name of ["main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"]) {
        expect(generatedFiles).toContain(join(dir, name));
      }
    }
    expect(generatedFiles).toEqual(expect.arrayContaining(["modules/lambda-edge/dist/request.js", "modules/lambda-edge/dist/response.js"]));
    expect(moduleDirs.filter((dir) => dir.startsWith("examples/"))).toEqual(
      expect.arrayContaining(["examples/new-distribution", "examples/existing-distribution", "examples/async-viewer"]),
    );
  });

  it("is not stale: every committed file is what `npm run generate` writes now", () => {
    const stale = [...rendered].filter(([path, text]) => readFileSync(join(GENERATED_DIR, path), "utf8") !== text).map(([path]) => path);
    expect(stale).toEqual([]);
    const unknown = generatedFiles.filter((path) => !rendered.has(path) && !path.startsWith("modules/lambda-edge/dist/"));
    expect(unknown).toEqual([]);
  });

  it("has the handler bundles built from handlers/ now", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bundles-"));
    for (const bundle of await bundleHandlers(dir)) {
      expect(readFileSync(bundle.file, "utf8")).toBe(
        readFileSync(join(GENERATED_DIR, "modules/lambda-edge/dist", `${bundle.name}.js`), "utf8"),
      );
    }
  });

  it("renders byte-identical files every time", () => {
    expect([...renderModules()]).toEqual([...rendered]);
  });
});

describe.each(tfFiles)("%s", (file) => {
  const text = readFileSync(join(GENERATED_DIR, file), "utf8");

  it("parses with HashiCorp's HCL parser", async () => {
    await expect(parse(file, text)).resolves.toBeDefined();
  });

  it("has no interpolation-only strings, quoted references, hashed names or provider blocks in modules", () => {
    expect(text).not.toMatch(/=\s*"\$\{[^"]*\}"\s*$/m);
    expect(text).not.toMatch(/(provider|depends_on)\s*=\s*\[?\s*"/);
    expect(text).not.toMatch(/"[a-z_]+_[0-9A-F]{8}"/);
    if (!file.startsWith("examples/")) expect(text).not.toMatch(/^\s*(provider|backend)\s+"/m);
  });
});

/** Names each kind of reference can point at in one module directory. */
async function declarations(dir: string) {
  const names = {
    var: new Set<string>(),
    local: new Set<string>(),
    module: new Set<string>(),
    data: new Set<string>(),
    resource: new Set<string>(),
  };
  for (const file of tfFiles.filter((f) => join(f, "..") === dir)) {
    const hcl = (await parse(file, readFileSync(join(GENERATED_DIR, file), "utf8"))) as Record<string, Record<string, unknown>>;
    Object.keys(hcl.variable ?? {}).forEach((n) => names.var.add(n));
    for (const block of (hcl.locals ?? []) as unknown as Array<Record<string, unknown>>)
      Object.keys(block).forEach((n) => names.local.add(n));
    Object.keys(hcl.module ?? {}).forEach((n) => names.module.add(n));
    for (const [type, byName] of Object.entries(hcl.data ?? {}))
      Object.keys(byName as object).forEach((n) => names.data.add(`${type}.${n}`));
    for (const [type, byName] of Object.entries(hcl.resource ?? {}))
      Object.keys(byName as object).forEach((n) => names.resource.add(`${type}.${n}`));
  }
  return names;
}

describe.each(moduleDirs)("references in %s", (dir) => {
  it("all resolve inside the module", async () => {
    const names = await declarations(dir);
    const source = tfFiles
      .filter((f) => join(f, "..") === dir)
      .map((f) => readFileSync(join(GENERATED_DIR, f), "utf8"))
      .join("\n")
      .replace(/"(?:[^"\\$]|\\.)*"/g, (s) => (s.includes("${") ? s : '""')); // plain strings hold no references
    const missing: string[] = [];
    const check = (kind: keyof typeof names, name: string) => {
      if (!names[kind].has(name)) missing.push(`${kind}.${name}`);
    };
    for (const m of source.matchAll(/\bvar\.([A-Za-z0-9_]+)/g)) check("var", m[1]);
    for (const m of source.matchAll(/\blocal\.([A-Za-z0-9_]+)/g)) check("local", m[1]);
    for (const m of source.matchAll(/\bmodule\.([A-Za-z0-9_]+)/g)) check("module", m[1]);
    for (const m of source.matchAll(/\bdata\.([a-z0-9_]+)\.([A-Za-z0-9_]+)/g)) check("data", `${m[1]}.${m[2]}`);
    for (const m of source.matchAll(/(?<![.\w"])((?:aws|terraform)_[a-z0-9_]+)\.([A-Za-z0-9_]+)/g)) check("resource", `${m[1]}.${m[2]}`);
    expect(missing).toEqual([]);
    expect(names.var.size + names.module.size).toBeGreaterThan(0);
  });
});

describe.each(moduleDirs.filter((dir) => dir.startsWith("examples/")))("providers of %s", (dir) => {
  it("are each used: the default by a resource of the example's own, an alias by a module or resource", async () => {
    const main = readFileSync(join(GENERATED_DIR, dir, "main.tf"), "utf8");
    const hcl = (await parse("main.tf", main)) as { provider?: { aws?: Array<{ alias?: string }> } };
    const configurations = (hcl.provider?.aws ?? []).map((p) => (p.alias ? `aws.${p.alias}` : "aws"));
    expect(configurations).toContain("aws.us_east_1");
    const resources = [...main.matchAll(/^(resource|data) "aws_[a-z0-9_]+" "[^"]+" \{\n([\s\S]*?)^\}/gm)].map((m) => m[2]);
    for (const configuration of configurations) {
      const used =
        configuration === "aws"
          ? resources.some((body) => !/^\s*provider\s*=/m.test(body))
          : new RegExp(`=\\s*${configuration.replace(".", "\\.")}\\b`).test(main);
      expect(`${configuration} ${used ? "used" : "declared but unused"}`).toBe(`${configuration} used`);
    }
  });
});

describe.each(moduleDirs.filter((dir) => dir.startsWith("modules/")))("Requirements of %s", (dir) => {
  it("give a reason for the aws floor that names only resources the module has", () => {
    const readme = readFileSync(join(GENERATED_DIR, dir, "README.md"), "utf8");
    const row = readme.split("\n").find((line) => line.startsWith("| [aws]") && line.split("|").length > 4);
    expect(row).toBeDefined();
    const main = readFileSync(join(GENERATED_DIR, dir, "main.tf"), "utf8");
    const named = [...(row ?? "").matchAll(/\baws_[a-z0-9_]+/g)].map((m) => m[0]);
    expect(named.filter((type) => !main.includes(`"${type}"`))).toEqual([]);
  });
});

const binary = terraformBinary();
const describeTerraform = binary ? describe : describe.skip;
if (!binary) console.warn("terraform is not on the PATH: skipping `terraform fmt -check` and `terraform validate`.");

describeTerraform("terraform", () => {
  const env = offlineEnv();
  const available = mirroredProviders();

  it("fmt -check finds nothing to change", () => {
    const result = terraform(["fmt", "-check", "-recursive", "-diff", "-no-color", "."], GENERATED_DIR, env);
    expect(result.stdout).toBe("");
    expect(result.status).toBe(0);
  });

  describe.each(moduleDirs)("validate %s", (dir) => {
    // A module's own providers plus those of the modules it calls from this tree.
    const needed = new Set(
      tfFiles
        .filter((f) => f.endsWith("versions.tf") && (dir.startsWith("examples/") || dir === "." || join(f, "..") === dir))
        .flatMap((f) => requiredProviders(readFileSync(join(GENERATED_DIR, f), "utf8"))),
    );
    const missing = [...needed].filter((p) => !available.includes(p));
    const maybe = missing.length ? it.skip : it;
    if (missing.length) {
      console.warn(
        `terraform validate ${dir}: skipped, the local provider mirror has no ${missing.join(", ")} (it serves: ${available.join(", ") || "nothing"}).`,
      );
    }
    maybe("is valid", () => {
      const root = copyToTemp(GENERATED_DIR);
      const cwd = join(root, dir);
      const init = terraform(["init", "-backend=false", "-no-color"], cwd, env);
      expect(init.text).toContain("Terraform has been successfully initialized");
      const validate = terraform(["validate", "-no-color"], cwd, env);
      expect(validate.text).toContain("Success! The configuration is valid");
      expect(validate.text).not.toMatch(/Warning/);
    });
  });
});
