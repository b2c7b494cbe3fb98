// Starts the real collector binary on 127.0.0.1 with a fresh SQLite file (or a fresh database
// on the PostgreSQL server that MITMACHEN_E2E_POSTGRES names), serving the bundle and the
// example pages, and stops it again.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through \`cargo xtask test\``);
  return value;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// A new, empty database on the PostgreSQL server of `base` (a `postgres://` URL, as `cargo xtask
// test` passes it for its second run of the console tests): its URL.
let databases = 0;
function newPostgresDatabase(base) {
  const name = `e2e_${process.pid}_${++databases}`;
  execFileSync("psql", [base, "-v", "ON_ERROR_STOP=1", "-qc", `CREATE DATABASE ${name}`], { stdio: "pipe" });
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.href;
}

// The administrator's bearer token of the collectors the tests start.
const ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef0123456789";

// `smtp`: the port of an SMTP server on 127.0.0.1 (see smtp.mjs) to send mails to; without it
// mails go to the outbox folder. `env`: more settings, as `MITMACHEN_*` variables.
export async function startCollector({ smtp, env: extra = {} } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "mitmachen-e2e-"));
  const api = `http://127.0.0.1:${port}`;
  // Pages are opened on localhost, the collector is addressed as 127.0.0.1: two origins.
  const site = `http://localhost:${port}`;
  const env = {
    ...process.env,
    MITMACHEN_LISTEN: `127.0.0.1:${port}`,
    MITMACHEN_PUBLIC_URL: api,
    MITMACHEN_ALLOWED_ORIGINS: site,
    MITMACHEN_DATABASE: process.env.MITMACHEN_E2E_POSTGRES
      ? newPostgresDatabase(process.env.MITMACHEN_E2E_POSTGRES)
      : join(dir, "mitmachen.sqlite3"),
    MITMACHEN_DIST_DIR: required("MITMACHEN_DIST"),
    MITMACHEN_SITE_DIR: required("MITMACHEN_EXAMPLES"),
    // The example pages' events, declared as a town's administrator would.
    MITMACHEN_CONFIG: join(required("MITMACHEN_EXAMPLES"), "collector.toml"),
    MITMACHEN_MAIL_OUTBOX: join(dir, "outbox"),
    ...(smtp
      ? { MITMACHEN_SMTP_HOST: "127.0.0.1", MITMACHEN_SMTP_PORT: String(smtp), MITMACHEN_SMTP_TLS: "none" }
      : {}),
    // Every test's browser comes from 127.0.0.1; the default per-client limit is for a town.
    MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE: "600",
    // The console tests sign in often, all from 127.0.0.1; accounts keep their own throttle.
    MITMACHEN_RATE_LIMIT_SIGN_INS_PER_MINUTE: "120",
    MITMACHEN_ADMIN_TOKEN: ADMIN_TOKEN,
    ...extra,
  };
  const child = spawn(required("MITMACHEN_COLLECTOR"), [], { env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stderr.on("data", (d) => (log += d));
  await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`collector did not start:\n${log}`)), 20000);
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("listening on")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code) => reject(new Error(`collector exited with ${code}:\n${log}`)));
  });
  return {
    api,
    site,
    outbox: join(dir, "outbox"),
    log: () => log,
    // A request as a page's script (or another registrant) would send it, from the page's origin.
    async submit(widget, body, key = crypto.randomUUID()) {
      const response = await fetch(`${api}/v1/widgets/${widget}/submissions`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": key, origin: site },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    },
    async event(widget) {
      const response = await fetch(`${api}/v1/widgets/${widget}/event`);
      return response.json();
    },
    async results(widget) {
      const response = await fetch(`${api}/v1/widgets/${widget}/results`);
      return response.json();
    },
    // The moderation API, as an administrator's script would use it.
    async admin(method, path, body) {
      const response = await fetch(`${api}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return response.json();
    },
    // The same, answered as text (a CSV export).
    async adminText(path) {
      const response = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
      // `text()` would drop the byte order mark that German Excel needs.
      return new TextDecoder("utf-8", { ignoreBOM: true }).decode(await response.arrayBuffer());
    },
    // `collector user add NAME --role ROLE` on this collector's database, as an administrator
    // types it on the server; the password goes to standard input.
    async addUser(name, role, password) {
      const cli = spawn(required("MITMACHEN_COLLECTOR"), ["user", "add", name, "--role", role], {
        env,
        stdio: ["pipe", "ignore", "pipe"],
      });
      let err = "";
      cli.stderr.on("data", (d) => (err += d));
      cli.stdin.end(`${password}\n`);
      const code = await new Promise((resolve) => cli.once("exit", resolve));
      if (code !== 0) throw new Error(`collector user add ${name}: exit ${code}: ${err}`);
    },
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
