// A private npm registry on 127.0.0.1 (Verdaccio, no uplinks: it serves only what is published to
// it) for publishing the package as the release workflow does, without reaching npmjs.com.
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export interface NpmRegistry {
  readonly url: string;
  /** An npm user config holding a token of a user of this registry (`--userconfig`). */
  readonly userconfig: string;
  stop(): Promise<void>;
}

const VERDACCIO = join(__dirname, "..", "..", "node_modules", ".bin", "verdaccio");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Starts Verdaccio with its storage in `dir` and adds a user; resolves when it answers. */
export async function startNpmRegistry(dir: string): Promise<NpmRegistry> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const config = join(dir, "verdaccio.yaml");
  writeFileSync(
    config,
    [
      `storage: ${join(dir, "storage")}`,
      "auth:",
      "  htpasswd:",
      `    file: ${join(dir, "htpasswd")}`,
      "packages:",
      "  '**':",
      "    access: $all",
      "    publish: $authenticated",
      "logs: { type: stdout, format: json, level: warn }",
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(VERDACCIO, ["--config", config, "--listen", `127.0.0.1:${port}`], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });

  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode}: ${log}`);
      const ping = await fetch(`${url}-/ping`).catch(() => undefined);
      if (ping?.ok) break;
      if (Date.now() > deadline) throw new Error(`verdaccio did not answer on ${url}: ${log}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // `npm adduser`'s request: creates the user and answers with its token.
    const name = "release-test";
    const added = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name, password: "release-test-password", type: "user", roles: [] }),
    });
    const { token } = (await added.json()) as { token?: string };
    if (!added.ok || !token) throw new Error(`verdaccio refused the test user (${added.status}): ${log}`);
    const userconfig = join(dir, "npmrc");
    writeFileSync(userconfig, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
    return { url, userconfig, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
