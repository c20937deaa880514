// End-to-end test of Airlock's admin console in a real browser.
//
// Starts the real binary (AIRLOCK_BIN, default ../../build/airlock) on a free port with a fresh data
// dir, pins its self-signed certificate in headless Debian Chromium (driven by playwright-core) and
// walks the first-run flow a person would: setup link -> owner form -> sign in -> overview -> sign
// out. Every page is checked for console errors (CSP violations land there) and failed
// sub-requests, and a full-page screenshot of each is saved in artifacts/ for a human to look at.
// No fixed sleeps: every wait is on a condition, bounded by a timeout.
//
// Run through ./run.sh (installs playwright-core from the lockfile first), or `node run.mjs`.
// Environment: AIRLOCK_BIN (the binary; default ../../build/airlock from this file), CHROMIUM_BIN
// (default /usr/bin/chromium).

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { connect as tlsConnect } from "node:tls";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const airlockBin = process.env.AIRLOCK_BIN ? path.resolve(process.env.AIRLOCK_BIN) : path.resolve(here, "../../build/airlock");
const chromiumBin = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
const artifacts = path.join(here, "artifacts");

const START_TIMEOUT_MS = 30_000; // first start generates keys, a certificate and the database
const STOP_TIMEOUT_MS = 30_000; // above AIRLOCK_DRAIN_TIMEOUT's default of 20 s
const ACTION_TIMEOUT_MS = 15_000;
const STEP_TIMEOUT_MS = 60_000;

const OWNER_EMAIL = "owner@example.test";
// 16+ characters, random so no common-password list can contain it.
const OWNER_PASSWORD = `e2e-passphrase-${randomBytes(12).toString("base64url")}`;
const SESSION_COOKIE = "__Host-airlock_session";

// ---------------------------------------------------------------------------------------------
// The server process: its output lines, and waits on them.

class Server {
  constructor(bin, dataDir) {
    this.lines = { stdout: [], stderr: [] };
    this.waiters = [];
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AIRLOCK_")));
    env.AIRLOCK_DATA_DIR = dataDir;
    env.AIRLOCK_LISTEN = "127.0.0.1:0";
    this.proc = spawn(bin, ["serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
    this.exited = new Promise((resolve) => {
      this.proc.on("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    this.spawnError = new Promise((_, reject) => this.proc.on("error", reject));
    this.spawnError.catch(() => {});
    for (const stream of ["stdout", "stderr"]) {
      createInterface({ input: this.proc[stream] }).on("line", (line) => {
        this.lines[stream].push(line);
        this.waiters = this.waiters.filter((w) => !w.check());
      });
    }
    this.proc.on("exit", () => {
      for (const w of this.waiters) w.fail(new Error(`airlock exited (${JSON.stringify(this.exit)}) while waiting for ${w.what}`));
      this.waiters = [];
    });
  }

  get running() {
    return this.exit === undefined;
  }

  // Resolves with the first value `pick(line)` returns truthy for, on `stream`, past or future.
  waitForLine(stream, what, pick, timeoutMs = START_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      let timer;
      const waiter = {
        what,
        check: () => {
          for (const line of this.lines[stream]) {
            const v = pick(line);
            if (v) {
              clearTimeout(timer);
              resolve(v);
              return true;
            }
          }
          return false;
        },
        fail: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      if (waiter.check()) return;
      if (!this.running) return waiter.fail(new Error(`airlock is not running; no ${what}`));
      timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no ${what} from airlock within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  logLine(msg) {
    return this.waitForLine("stderr", `log line "${msg}"`, (line) => {
      try {
        const j = JSON.parse(line);
        return j.msg === msg ? j : null;
      } catch {
        return null;
      }
    });
  }

  // SIGTERM, then the exit status. A server still running after STOP_TIMEOUT_MS has hung: its
  // threads' stacks go to artifacts/airlock-hang-stacks.txt (when gdb is there) before the error.
  async stop() {
    if (this.running) this.proc.kill("SIGTERM");
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(resolve, STOP_TIMEOUT_MS, "timeout");
    });
    try {
      const exit = await Promise.race([this.exited, timeout]);
      if (exit !== "timeout") return exit;
    } finally {
      clearTimeout(timer);
    }
    const stacks = await threadStacks(this.proc.pid);
    await writeFile(path.join(artifacts, "airlock-hang-stacks.txt"), stacks);
    throw new Error(
      `airlock did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM; ` +
        `last log line: ${this.lines.stderr.at(-1)}; thread stacks in artifacts/airlock-hang-stacks.txt`,
    );
  }

  async saveLogs(dir) {
    await writeFile(path.join(dir, "server-stdout.log"), this.lines.stdout.join("\n") + "\n");
    await writeFile(path.join(dir, "server-stderr.log"), this.lines.stderr.join("\n") + "\n");
  }
}

// Every thread's backtrace of a live process, via gdb (best effort: gdb may be missing).
function threadStacks(pid) {
  return new Promise((resolve) => {
    execFile(
      "gdb",
      ["-batch", "-nx", "-p", String(pid), "-ex", "set pagination off", "-ex", "thread apply all bt"],
      { timeout: 60_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => resolve(`${err ? `gdb: ${err.message}\n` : ""}${stdout}\n${stderr}`),
    );
  });
}

// The certificate the server actually presents on `port`: its SHA-256 fingerprint (as Airlock prints
// it, AA:BB:...) and the base64 SHA-256 of its SubjectPublicKeyInfo (what Chromium's
// --ignore-certificate-errors-spki-list takes).
function servedCertificate(port) {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      if (!cert) return reject(new Error("no peer certificate"));
      const spki = cert.publicKey.export({ type: "spki", format: "der" });
      resolve({ fingerprint256: cert.fingerprint256, spkiPin: createHash("sha256").update(spki).digest("base64") });
    });
    socket.setTimeout(ACTION_TIMEOUT_MS, () => socket.destroy(new Error("TLS handshake timed out")));
    socket.on("error", reject);
  });
}

// ---------------------------------------------------------------------------------------------
// Page watching: console errors, uncaught exceptions, failed or erroring sub-requests.

function watch(page) {
  const w = { problems: [], expectedDocStatus: new Map(), knownIssues: new Set() };
  page.on("console", (m) => {
    if (process.env.E2E_DEBUG) console.log(`# console ${m.type()}: ${m.text()} (${m.location()?.url})`);
    if (m.type() !== "error") return;
    const url = m.location()?.url || "";
    // Chromium reports a page's own non-2xx status as a console error; that is expected where the
    // test asks for it (401 on a wrong password, 404 on a used setup link), and nothing else is.
    const st = /^Failed to load resource: the server responded with a status of (\d+)/.exec(m.text());
    if (st && w.expectedDocStatus.get(url) === Number(st[1])) return;
    // Known Airlock issue: the layout declares no icon, so Chromium asks for /favicon.ico and gets a
    // JSON 404. Tolerated (and reported once) until the layout links an icon; then this never fires.
    if (st && st[1] === "404" && new URL(url || "about:blank", "https://x").pathname === "/favicon.ico") {
      w.knownIssues.add("GET /favicon.ico answers 404: the console layout declares no icon");
      return;
    }
    w.problems.push(`console ${m.type()}: ${m.text()}${url ? ` (${url})` : ""}`);
  });
  page.on("pageerror", (e) => w.problems.push(`uncaught exception: ${e.message}`));
  page.on("requestfailed", (r) => w.problems.push(`request failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  page.on("response", (r) => {
    if (!r.request().isNavigationRequest() && r.status() >= 400) w.problems.push(`sub-request ${r.url()} answered ${r.status()}`);
  });
  return w;
}

// Belt and braces: every CSP violation also reaches the console through this listener.
function reportCspViolations() {
  document.addEventListener("securitypolicyviolation", (e) =>
    console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`),
  );
}

// ---------------------------------------------------------------------------------------------

let server;
let dataRoot;
let browser;
let context;
let page;
let watcher;
let base; // public_url, e.g. https://127.0.0.1:40123
let setupLink;
let broken = false; // a step failed: the ones after it cannot be meaningful

async function assertPageClean(label) {
  // Let the page finish loading (scripts, styles) before judging it.
  await page.waitForLoadState("load");
  const problems = watcher.problems.splice(0);
  assert.deepEqual(problems, [], `${label}: the page reported problems`);
}

async function screenshot(name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

async function textOf(locator) {
  await locator.waitFor({ state: "visible" });
  return (await locator.innerText()).replace(/\s+/g, " ").trim();
}

// Clicks a submit button, checks the status the form's request got (`status`) and waits for the
// page it leads to (`finalUrl`).
async function submit(button, { method = "POST", status, finalUrl }) {
  const sent = page.waitForRequest((r) => r.isNavigationRequest() && r.method() === method);
  await button.click();
  const request = await sent;
  const response = await request.response();
  assert.ok(response, `${method} ${request.url()} got no response`);
  if (response.status() !== status) {
    const origin = await request.headerValue("origin");
    const site = await request.headerValue("sec-fetch-site");
    const body = await response.text().catch(() => "");
    assert.fail(
      `${method} ${request.url()} answered ${response.status()}, expected ${status} ` +
        `(request Origin: ${origin}, Sec-Fetch-Site: ${site}); body: ${body.slice(0, 300)}`,
    );
  }
  await page.waitForURL(finalUrl, { waitUntil: "load" });
  return { request, response };
}

async function sessionCookie() {
  return (await context.cookies(base)).find((c) => c.name === SESSION_COOKIE);
}

function step(name, fn) {
  test(name, { timeout: STEP_TIMEOUT_MS }, async (t) => {
    if (broken) return t.skip("an earlier step failed");
    try {
      await fn(t);
    } catch (err) {
      broken = true;
      if (page) {
        const file = `failure-${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`;
        await screenshot(file).catch(() => {});
        t.diagnostic(`screenshot: artifacts/${file}.png; page: ${page.url()}`);
      }
      throw err;
    }
  });
}

describe("Airlock console: first run in a real browser", () => {
  before(async () => {
    assert.ok(existsSync(airlockBin), `no airlock binary at ${airlockBin} (set AIRLOCK_BIN)`);
    assert.ok(existsSync(chromiumBin), `no Chromium at ${chromiumBin} (apt-get install chromium, or set CHROMIUM_BIN)`);
    await rm(artifacts, { recursive: true, force: true });
    await mkdir(artifacts, { recursive: true });

    dataRoot = await mkdtemp(path.join(tmpdir(), "airlock-e2e-")); // 0700
    server = new Server(airlockBin, path.join(dataRoot, "data"));
    const [listening, link, printedFingerprint] = await Promise.race([
      Promise.all([
        server.logLine("listening"),
        server.waitForLine("stdout", "setup link", (l) => /^\s+(https:\/\/\S+\/setup\?token=[A-Za-z0-9_-]{43})$/.exec(l)?.[1]),
        server.waitForLine("stdout", "certificate fingerprint", (l) => /^TLS certificate SHA-256 fingerprint: ([0-9A-F:]{95})$/.exec(l)?.[1]),
      ]),
      server.spawnError,
    ]);
    base = listening.public_url;
    assert.equal(base, `https://127.0.0.1:${listening.port}`, "public_url of a 127.0.0.1:0 listener");
    setupLink = link;
    assert.equal(new URL(setupLink).origin, base, "the setup link points at the public URL");

    // Pin the key of the certificate Airlock printed: Chromium trusts it and no other unknown issuer.
    const served = await servedCertificate(listening.port);
    assert.equal(served.fingerprint256, printedFingerprint, "served certificate is the one whose fingerprint was printed");

    browser = await chromium.launch({
      executablePath: chromiumBin,
      headless: true, // playwright adds --headless and a fresh temporary --user-data-dir itself
      timeout: START_TIMEOUT_MS,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--ignore-certificate-errors-spki-list=${served.spkiPin}`,
      ],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US", colorScheme: "light" });
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
    await context.addInitScript(reportCspViolations);
    page = await context.newPage();
    watcher = watch(page);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    if (server?.running) {
      server.proc.kill("SIGKILL");
      await server.exited;
    }
    if (server) await server.saveLogs(artifacts).catch(() => {});
    if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
  });

  step("the setup link opens the owner form", async () => {
    const res = await page.goto(setupLink);
    assert.equal(res.status(), 200);
    assert.equal(await page.title(), "Set up · Airlock");
    await page.getByRole("heading", { level: 1, name: "Set up Airlock" }).waitFor();
    // Labelled fields (getByLabel fails on an unlabelled one); the e-mail field has autofocus.
    await page.getByLabel("E-mail").waitFor();
    await page.getByLabel("Password", { exact: true }).waitFor();
    await page.getByLabel("Repeat password").waitFor();
    await page.waitForFunction(() => document.activeElement?.id === "email");
    assert.match(await page.getByLabel("Password", { exact: true }).getAttribute("aria-describedby"), /pw-help/);
    await assertPageClean("setup");
    await screenshot("setup");
  });

  step("creating the owner leads to sign-in with the ready notice", async () => {
    await page.getByLabel("E-mail").fill(OWNER_EMAIL);
    await page.getByLabel("Password", { exact: true }).fill(OWNER_PASSWORD);
    await page.getByLabel("Repeat password").fill(OWNER_PASSWORD);
    const { request } = await submit(page.getByRole("button", { name: "Create owner" }), {
      status: 303,
      finalUrl: `${base}/login?created=1`,
    });
    assert.equal(request.url(), `${base}/setup`);
    assert.match(await textOf(page.getByRole("status")), /Your account is ready/);
    await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    assert.equal(await sessionCookie(), undefined, "no session before sign-in");
    await assertPageClean("login after setup");
    await screenshot("login");
  });

  step("a wrong password is refused", async () => {
    await page.getByLabel("E-mail").fill(OWNER_EMAIL);
    await page.getByLabel("Password").fill(`${OWNER_PASSWORD}-wrong`);
    watcher.expectedDocStatus.set(`${base}/login`, 401);
    await submit(page.getByRole("button", { name: "Sign in" }), { status: 401, finalUrl: `${base}/login` });
    assert.equal(await textOf(page.getByRole("alert")), "Invalid e-mail or password.");
    assert.equal(await page.getByLabel("E-mail").inputValue(), OWNER_EMAIL, "the e-mail is kept");
    assert.equal(await page.getByLabel("Password").inputValue(), "", "the password is not echoed back");
    assert.equal(await sessionCookie(), undefined, "no session after a failed sign-in");
    await assertPageClean("login with wrong password");
    watcher.expectedDocStatus.clear();
    await screenshot("login-error");
  });

  step("signing in shows the overview with the e-mail and the owner role", async () => {
    await page.getByLabel("E-mail").fill(OWNER_EMAIL);
    await page.getByLabel("Password").fill(OWNER_PASSWORD);
    await submit(page.getByRole("button", { name: "Sign in" }), { status: 303, finalUrl: `${base}/` });
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    assert.equal(await page.title(), "Overview · Airlock");
    assert.equal(await textOf(page.locator("main .lead")), `Signed in as ${OWNER_EMAIL} with the owner role.`);
    const nav = page.getByRole("navigation", { name: "Main" });
    assert.equal(await nav.getByRole("link", { name: "Overview" }).getAttribute("aria-current"), "page");
    assert.equal(await textOf(page.locator("header .who-email")), OWNER_EMAIL);
    assert.equal(await textOf(page.locator("header .badge")), "owner");
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    // Keyboard: the first Tab reaches the skip link, which then shows on screen.
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    await page.waitForFunction(() => document.activeElement?.textContent === "Skip to content");
    const box = await skip.boundingBox();
    assert.ok(box && box.x >= 0 && box.y >= 0, `the focused skip link is on screen (${JSON.stringify(box)})`);
    await page.evaluate(() => document.activeElement?.blur());

    const cookie = await sessionCookie();
    assert.ok(cookie, "a session cookie is set");
    assert.equal(cookie.secure, true);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, "Strict");
    assert.equal(cookie.path, "/");
    assert.ok(cookie.expires > Date.now() / 1000, "the cookie has a lifetime");

    await assertPageClean("overview");
    await screenshot("overview");
    // The same page on a phone-sized screen (the top bar is where it would break first).
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot("overview-narrow");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 0) {
      watcher.knownIssues.add(
        `at 390 px wide the overview scrolls sideways by ${overflow} px: the top bar does not wrap ` +
          `(see artifacts/overview-narrow.png)`,
      );
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await assertPageClean("overview, narrow");
  });

  step("signing out returns to sign-in with the signed-out notice", async () => {
    await submit(page.getByRole("button", { name: "Sign out" }), { status: 303, finalUrl: `${base}/login?ended=1` });
    assert.equal(await textOf(page.getByRole("status")), "You are signed out.");
    assert.equal(await sessionCookie(), undefined, "the session cookie is gone");
    await assertPageClean("login after sign-out");
    await screenshot("login-signed-out");
  });

  step("the overview asks for sign-in again", async () => {
    const res = await page.goto(`${base}/`);
    assert.equal(page.url(), `${base}/login`);
    assert.equal(res.status(), 200);
    const chain = [];
    for (let r = res.request(); r; r = r.redirectedFrom()) chain.unshift(`${r.url()} ${(await r.response())?.status()}`);
    assert.deepEqual(chain, [`${base}/ 303`, `${base}/login 200`]);
    await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Sign out" }).count(), 0);
    await assertPageClean("login after visiting / signed out");
  });

  step("the used setup link is not valid any more", async () => {
    watcher.expectedDocStatus.set(setupLink, 404);
    const res = await page.goto(setupLink);
    assert.equal(res.status(), 404);
    await page.getByRole("heading", { level: 1, name: "This setup link is not valid" }).waitFor();
    assert.match(await textOf(page.locator("main")), /not valid/);
    assert.equal(await page.getByLabel("Password").count(), 0, "no setup form");
    await assertPageClean("used setup link");
    watcher.expectedDocStatus.clear();
    await screenshot("setup-invalid");
  });

  test("SIGTERM stops the server with exit code 0", { timeout: STOP_TIMEOUT_MS + 90_000 }, async (t) => {
    for (const issue of watcher?.knownIssues ?? []) t.diagnostic(`known Airlock issue, tolerated: ${issue}`);
    assert.ok(server?.running, "the server is still running");
    await browser.close(); // no keep-alive connection left for the drain to wait on
    const exit = await server.stop();
    assert.deepEqual(exit, { code: 0, signal: null });
    await server.logLine("stopped");
    if (!broken) assert.deepEqual(watcher.problems, [], "problems the pages reported after their checks");
  });
});
