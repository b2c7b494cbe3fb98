// A real SMTP server on 127.0.0.1 for the browser tests: Debian's aiosmtpd, run by the same
// script as the collector's mail tests (collector/tests/support/smtp_server.py). Every mail it
// accepts lands as <n>.eml plus a decoded <n>.json in a temporary folder.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "../../../collector/tests/support/smtp_server.py");
// Debian's Python has python3-aiosmtpd; a `python3` earlier on PATH (pyenv) may not.
const PYTHON = "/usr/bin/python3";

export async function startSmtp() {
  const dir = mkdtempSync(join(tmpdir(), "mitmachen-smtp-"));
  const child = spawn(PYTHON, [SCRIPT, "--dir", dir, "--port", "0", "--exit-on-eof"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const port = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`SMTP server did not start:\n${err}`)), 15000);
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.includes('"listening"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line).port);
      }
    });
    child.on("exit", (code) => reject(new Error(`SMTP server exited with ${code}:\n${err}`)));
  });
  const mails = () =>
    readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
  return {
    port,
    mails,
    // The first mail to `to` (whose subject matches `subject`, if given) that arrives within
    // `timeout` ms, and how long it took from the call.
    async waitFor(to, { subject, after = 0, timeout = 15000 } = {}) {
      const started = Date.now();
      while (Date.now() - started < timeout) {
        const found = mails()
          .slice(after)
          .find((m) => m.rcpt_tos.includes(to) && (!subject || subject.test(m.subject)));
        if (found) return { mail: found, ms: Date.now() - started };
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`no mail to ${to} within ${timeout} ms; received: ${JSON.stringify(mails().map((m) => [m.rcpt_tos, m.subject]))}`);
    },
    async stop() {
      child.stdin.end();
      child.kill("SIGTERM");
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
