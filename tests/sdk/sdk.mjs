// SDK compatibility test: the official OpenAI and Anthropic Node SDKs, pointed at Airlock the way an
// app would point them, against the fake vendor (mock_upstream).
//
// Starts mock_upstream (MOCK_BIN, default ../../build/mock_upstream from this file), provisions two
// providers and three models for it in a fresh temp dir, starts the real binary (AIRLOCK_BIN, default
// ../../build/airlock) on a free port, creates a gateway key with `airlock key create`, then drives
// both SDKs over HTTPS: chat (plain, streamed, streamed with usage, tools plus an undocumented field),
// embeddings (the SDK's base64 default), the model list, the SDKs' error classes for an unknown model
// and a bad key, Anthropic messages (plain and streamed), both SDKs' request ids, and guardrails
// (mask both ways on plain and streamed answers, a blocking rule, keys that override the policy). At the end the
// mock's request log must show the vendor key on every upstream call and the gateway key on none.
//
// TLS: Airlock's self-signed certificate (<data>/tls/cert.pem) only exists once Airlock has started,
// and Node reads NODE_EXTRA_CA_CERTS only at its own start. So the SDK calls run in a child node
// process (this same file, AIRLOCK_SDK_WORKER=1) started with NODE_EXTRA_CA_CERTS=<cert.pem>: the SDKs
// are constructed exactly as an app would construct them (their default global fetch, no custom agent
// or fetch), and the child answers each named call over the IPC channel with plain data. Every
// assertion is made here, in the parent.
//
// Run through ./run.sh (installs the pinned SDKs from package-lock.json first), or `node sdk.mjs`.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, fork, spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { connect as tlsConnect } from "node:tls";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

const thisFile = fileURLToPath(import.meta.url);
const here = path.dirname(thisFile);

const START_TIMEOUT_MS = 30_000; // first start generates keys, a certificate and the database
const STOP_TIMEOUT_MS = 30_000; // above AIRLOCK_DRAIN_TIMEOUT's default of 20 s
const SDK_TIMEOUT_MS = 10_000; // the SDKs' own per-request timeout
const CALL_TIMEOUT_MS = 20_000; // one worker call (an SDK request plus its parsing)
const STEP_TIMEOUT_MS = 60_000;

const VENDOR_KEY = "sk-vendor-secret-0000";
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/; // what Airlock puts in X-Request-Id (README)

if (process.env.AIRLOCK_SDK_WORKER === "1") runWorker();
else runSuite();

// =============================================================================================
// The worker: the SDK calls, in a process that trusts Airlock's certificate. Each op builds its
// clients from the call's arguments and returns plain (structured-clone-able) data; an SDK error
// comes back as a description of it, including which of the SDK's error classes it is an instance of.

function openai({ baseURL, apiKey }) {
  return new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: SDK_TIMEOUT_MS });
}

function anthropic({ baseURL, apiKey }) {
  return new Anthropic({ baseURL, apiKey, maxRetries: 0, timeout: SDK_TIMEOUT_MS });
}

const USER_HI = [{ role: "user", content: "Say hello." }];

const ops = {
  async openaiChat(a) {
    const { data, response, request_id } = await openai(a.openai)
      .chat.completions.create({ model: a.model ?? "gpt-test", messages: USER_HI })
      .withResponse();
    return {
      content: data.choices[0]?.message?.content,
      finish_reason: data.choices[0]?.finish_reason,
      usage: data.usage,
      model: data.model,
      request_id,
      _request_id: data._request_id,
      header: response.headers.get("x-request-id"),
    };
  },

  async openaiChatStream(a) {
    const params = { model: "gpt-test", messages: USER_HI, stream: true };
    if (a.includeUsage) params.stream_options = { include_usage: true };
    const { data: stream, request_id } = await openai(a.openai).chat.completions.create(params).withResponse();
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    return { chunks, request_id };
  },

  async openaiTools(a) {
    const data = await openai(a.openai).chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
      tools: a.tools,
      tool_choice: a.tool_choice,
      // An undocumented field: the Node SDK sends unknown params in the body as they are (its
      // README, "Undocumented request params"; the Python SDK's extra_body).
      x_custom_field: a.x_custom_field,
    });
    return { content: data.choices[0]?.message?.content, _request_id: data._request_id };
  },

  async openaiEmbed(a) {
    // No encoding_format: the SDK asks for base64 and decodes it to floats itself.
    const data = await openai(a.openai).embeddings.create({ model: "embed-test", input: "hello" });
    return { data: data.data, model: data.model, usage: data.usage };
  },

  async openaiModels(a) {
    const ids = [];
    for await (const m of openai(a.openai).models.list()) ids.push(m.id);
    return { ids };
  },

  async anthropicCreate(a) {
    const { data, request_id } = await anthropic(a.anthropic)
      .messages.create({ model: "claude-test", max_tokens: 64, messages: USER_HI })
      .withResponse();
    return {
      text: data.content.filter((b) => b.type === "text").map((b) => b.text).join(""),
      stop_reason: data.stop_reason,
      usage: data.usage,
      request_id,
      _request_id: data._request_id,
    };
  },

  // Guardrails: a prompt with personal data, to an echo model (the mock answers with the prompt,
  // streamed in 5-byte events), plain or streamed; tools ride along to show they still parse.
  async openaiEcho(a) {
    const params = { model: a.model ?? "echo-test", messages: [{ role: "user", content: a.content }] };
    if (a.tools) params.tools = a.tools;
    if (!a.stream) {
      const data = await openai(a.openai).chat.completions.create(params);
      return { text: data.choices[0]?.message?.content, finish_reason: data.choices[0]?.finish_reason };
    }
    const stream = await openai(a.openai).chat.completions.create({ ...params, stream: true });
    let text = "";
    let finish = null;
    for await (const chunk of stream) {
      text += chunk.choices?.[0]?.delta?.content ?? "";
      finish = chunk.choices?.[0]?.finish_reason ?? finish;
    }
    return { text, finish_reason: finish };
  },

  async anthropicEcho(a) {
    const params = { model: "claude-echo", max_tokens: 64, messages: [{ role: "user", content: a.content }] };
    if (!a.stream) {
      const data = await anthropic(a.anthropic).messages.create(params);
      return { text: data.content.filter((b) => b.type === "text").map((b) => b.text).join(""), stop_reason: data.stop_reason };
    }
    const stream = anthropic(a.anthropic).messages.stream(params);
    let text = "";
    stream.on("text", (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    return { text, finalText: final.content.filter((b) => b.type === "text").map((b) => b.text).join(""), stop_reason: final.stop_reason };
  },

  async anthropicStream(a) {
    const stream = anthropic(a.anthropic).messages.stream({ model: "claude-test", max_tokens: 64, messages: USER_HI });
    const events = [];
    let text = "";
    stream.on("text", (delta) => {
      text += delta;
    });
    for await (const event of stream) events.push(event.type);
    const final = await stream.finalMessage();
    return {
      events,
      text,
      finalText: final.content.filter((b) => b.type === "text").map((b) => b.text).join(""),
      usage: final.usage,
      stop_reason: final.stop_reason,
      request_id: stream.request_id,
    };
  },

  // Across dialects (the gateway translates): the Anthropic SDK to an OpenAI-type model and the
  // OpenAI SDK to an Anthropic-type one; plain, streamed, and a streamed tool call.
  async anthropicCross(a) {
    const params = { model: "claude-on-openai", max_tokens: 64, messages: [{ role: "user", content: a.content ?? "Say hello." }] };
    if (a.tools) params.tools = [WEATHER_TOOL_ANTHROPIC];
    if (!a.stream) {
      const data = await anthropic(a.anthropic).messages.create(params);
      return { content: data.content, stop_reason: data.stop_reason, usage: data.usage, type: data.type };
    }
    const stream = anthropic(a.anthropic).messages.stream(params);
    let text = "";
    const json = [];
    stream.on("text", (delta) => {
      text += delta;
    });
    stream.on("inputJson", (partial) => json.push(partial));
    const events = [];
    for await (const event of stream) events.push(event.type);
    const final = await stream.finalMessage();
    return { text, events, partials: json.length, content: final.content, stop_reason: final.stop_reason, usage: final.usage };
  },

  async openaiCross(a) {
    const params = { model: "gpt-on-anthropic", messages: [{ role: "user", content: a.content ?? "Say hello." }] };
    if (a.tools) params.tools = [WEATHER_TOOL_OPENAI];
    if (!a.stream) {
      const data = await openai(a.openai).chat.completions.create(params);
      const m = data.choices[0]?.message;
      return { text: m?.content, tool_calls: m?.tool_calls, finish_reason: data.choices[0]?.finish_reason, usage: data.usage, object: data.object };
    }
    const stream = await openai(a.openai).chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
    let text = "";
    let finish = null;
    let usage = null;
    const calls = [];
    let argChunks = 0;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const c = chunk.choices?.[0];
      if (!c) continue;
      text += c.delta?.content ?? "";
      for (const tc of c.delta?.tool_calls ?? []) {
        calls[tc.index] ??= { id: "", name: "", arguments: "" };
        if (tc.id) calls[tc.index].id = tc.id;
        if (tc.function?.name) calls[tc.index].name = tc.function.name;
        if (tc.function?.arguments) {
          calls[tc.index].arguments += tc.function.arguments;
          argChunks++;
        }
      }
      finish = c.finish_reason ?? finish;
    }
    return { text, calls, argChunks, finish_reason: finish, usage };
  },

  // The Responses API (what Codex CLI speaks), with a function tool.
  async openaiResponses(a) {
    const params = { model: a.model ?? "gpt-tools", input: "What is the weather in Paris?", tools: [WEATHER_TOOL_RESPONSES] };
    if (!a.stream) {
      const data = await openai(a.openai).responses.create(params);
      return { id: data.id, status: data.status, output_text: data.output_text, output: data.output, usage: data.usage };
    }
    const stream = await openai(a.openai).responses.create({ ...params, stream: true });
    const types = [];
    let text = "";
    let args = "";
    let argDeltas = 0;
    let final = null;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.function_call_arguments.delta") {
        args += event.delta;
        argDeltas++;
      }
      if (event.type === "response.completed") final = event.response;
    }
    return { types, text, args, argDeltas, id: final?.id, output: final?.output, usage: final?.usage };
  },

  async openaiResponsesRetrieve(a) {
    const data = await openai(a.openai).responses.retrieve(a.id);
    return { id: data.id, status: data.status, output_text: data.output_text };
  },

  async anthropicCountTokens(a) {
    const data = await anthropic(a.anthropic).messages.countTokens({
      model: a.model ?? "claude-test",
      messages: [{ role: "user", content: "Count me." }, { role: "assistant", content: "Sure." }, { role: "user", content: "Now." }],
    });
    return { input_tokens: data.input_tokens };
  },
};

const WEATHER_SCHEMA = { type: "object", properties: { city: { type: "string" }, unit: { type: "string" } }, required: ["city"] };
const WEATHER_TOOL_ANTHROPIC = { name: "get_weather", description: "Weather for a city", input_schema: WEATHER_SCHEMA };
const WEATHER_TOOL_RESPONSES = { type: "function", name: "get_weather", description: "Weather for a city", parameters: WEATHER_SCHEMA, strict: false };
const WEATHER_TOOL_OPENAI = { type: "function", function: { name: "get_weather", description: "Weather for a city", parameters: WEATHER_SCHEMA } };
// What the mock vendor's tool models say and call (tests/support/mock_upstream_main.cpp).
const MOCK_TOOL_TEXT = "Checking the weather.";
const MOCK_TOOL_ARGS = { city: "Paris", unit: "celsius" };

function describeError(err, sdk) {
  const classes = Object.entries(sdk)
    .filter(([name, v]) => typeof v === "function" && /Error$/.test(name) && err instanceof v)
    .map(([name]) => name);
  return {
    name: err?.constructor?.name,
    message: String(err?.message),
    status: err?.status,
    code: err?.code,
    type: err?.type,
    error: err?.error,
    requestID: err?.requestID,
    classes,
    cause: err?.cause ? String(err.cause?.cause?.message ?? err.cause?.message ?? err.cause) : undefined,
  };
}

function runWorker() {
  process.on("disconnect", () => process.exit(0)); // the parent went away
  process.on("message", async ({ id, op, args }) => {
    try {
      const result = await ops[op](args);
      process.send({ id, ok: true, result });
    } catch (err) {
      process.send({ id, ok: false, error: describeError(err, op.startsWith("anthropic") ? Anthropic : OpenAI) });
    }
  });
  process.send({ ready: true });
}

// =============================================================================================
// The parent: processes, the test steps and every assertion.

function cleanEnv() {
  // Nothing of the caller's Airlock, SDK or test-runner settings leaks into the children.
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(AIRLOCK_|OPENAI_|ANTHROPIC_|NODE_TEST_|NODE_EXTRA_CA_CERTS$|NODE_OPTIONS$)/.test(k),
    ),
  );
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// A child process whose output lines are kept, with waits on them (past or future lines).
class Proc {
  constructor(name, bin, args, env) {
    this.name = name;
    this.lines = { stdout: [], stderr: [] };
    this.waiters = [];
    this.proc = spawn(bin, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    this.exited = new Promise((resolve) => {
      this.proc.on("exit", (code, signal) => {
        this.exit = { code, signal };
        for (const w of this.waiters) w.fail(new Error(`${name} exited (${JSON.stringify(this.exit)}) while waiting for ${w.what}`));
        this.waiters = [];
        resolve(this.exit);
      });
    });
    this.proc.on("error", (err) => {
      for (const w of this.waiters) w.fail(new Error(`${name}: ${err.message}`));
      this.waiters = [];
    });
    for (const stream of ["stdout", "stderr"]) {
      createInterface({ input: this.proc[stream] }).on("line", (line) => {
        this.lines[stream].push(line);
        if (process.env.SDK_DEBUG) console.error(`# ${name} ${stream}: ${line}`);
        this.waiters = this.waiters.filter((w) => !w.check());
      });
    }
  }

  get running() {
    return this.exit === undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  // Resolves with the first value `pick(line)` returns truthy for, on `stream`.
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
      if (!this.running) return waiter.fail(new Error(`${this.name} is not running; no ${what}`));
      timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no ${what} from ${this.name} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  jsonLine(stream, what, pred) {
    return this.waitForLine(stream, what, (line) => {
      try {
        const j = JSON.parse(line);
        return pred(j) ? j : null;
      } catch {
        return null;
      }
    });
  }

  // SIGTERM, then the exit status (or an error after STOP_TIMEOUT_MS).
  async stop() {
    if (this.running) this.proc.kill("SIGTERM");
    const exit = await withTimeout(this.exited, STOP_TIMEOUT_MS, `${this.name} after SIGTERM`).catch((err) => {
      this.proc.kill("SIGKILL");
      throw err;
    });
    return exit;
  }

  tail(n = 40) {
    return [...this.lines.stdout.slice(-n).map((l) => `stdout: ${l}`), ...this.lines.stderr.slice(-n).map((l) => `stderr: ${l}`)].join("\n");
  }
}

// The SDK worker: this file again, trusting `caFile`, answering calls over IPC.
class SdkWorker {
  constructor(caFile) {
    const env = cleanEnv();
    env.AIRLOCK_SDK_WORKER = "1";
    env.NODE_EXTRA_CA_CERTS = caFile;
    this.next = 1;
    this.pending = new Map();
    this.proc = fork(thisFile, [], { env, execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.ready = withTimeout(
      new Promise((resolve, reject) => {
        this.proc.once("message", (m) => (m?.ready ? resolve() : reject(new Error("unexpected first message"))));
        this.proc.once("error", reject);
      }),
      START_TIMEOUT_MS,
      "SDK worker start",
    );
    this.proc.on("message", (m) => {
      const p = this.pending.get(m?.id);
      if (!p) return;
      this.pending.delete(m.id);
      p.resolve(m);
    });
    this.proc.on("exit", (code, signal) => {
      for (const p of this.pending.values()) p.reject(new Error(`SDK worker exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  // {ok: true, result} or {ok: false, error: describeError(...)}.
  async call(op, args = {}) {
    await this.ready;
    const id = this.next++;
    const answer = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.proc.send({ id, op, args });
    return withTimeout(answer, CALL_TIMEOUT_MS, `SDK call ${op}`).finally(() => this.pending.delete(id));
  }

  stop() {
    if (this.proc.connected) this.proc.disconnect();
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGTERM");
  }
}

function run(bin, args, env) {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { env, timeout: START_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${path.basename(bin)} ${args.join(" ")}: ${err.message}\n${stderr}`));
      resolve({ stdout, stderr });
    });
  });
}

// The certificate a TLS client trusting only `ca` sees on `port`: verification must pass.
function verifiedPeer(port, ca) {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port, ca, rejectUnauthorized: true }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      resolve(cert);
    });
    socket.setTimeout(SDK_TIMEOUT_MS, () => socket.destroy(new Error("TLS handshake timed out")));
    socket.on("error", reject);
  });
}

function ok(answer) {
  assert.ok(answer.ok, `SDK call failed: ${JSON.stringify(answer.error, null, 2)}`);
  return answer.result;
}

function failed(answer) {
  assert.ok(!answer.ok, `SDK call succeeded where it should fail: ${JSON.stringify(answer.result)}`);
  return answer.error;
}

function runSuite() {
  const airlockBin = process.env.AIRLOCK_BIN ? path.resolve(process.env.AIRLOCK_BIN) : path.resolve(here, "../../build/airlock");
  const mockBin = process.env.MOCK_BIN ? path.resolve(process.env.MOCK_BIN) : path.resolve(here, "../../build/mock_upstream");

  const ctx = {}; // filled by before(): tmp, mock, mockPort, airlock, port, certFile, key, worker, ...
  let failures = 0;

  // A test step whose failure also prints the processes' last output (in after()).
  const step = (name, fn) =>
    test(name, { timeout: STEP_TIMEOUT_MS }, async (t) => {
      try {
        await fn(t);
      } catch (err) {
        failures++;
        throw err;
      }
    });

  const mockUrl = (p) => `http://127.0.0.1:${ctx.mockPort}${p}`;
  const mockRequests = async () => {
    const res = await fetch(mockUrl("/__mock/requests"), { signal: AbortSignal.timeout(SDK_TIMEOUT_MS) });
    assert.equal(res.status, 200);
    return (await res.json()).requests;
  };
  // The upstream requests `fn` causes (the mock's log only grows; steps run one after another).
  const upstreamOf = async (fn) => {
    const before = (await mockRequests()).length;
    const value = await fn();
    return { value, upstream: (await mockRequests()).slice(before) };
  };
  const clients = (apiKey = ctx.key) => ({
    openai: { baseURL: `https://127.0.0.1:${ctx.port}/v1`, apiKey },
    anthropic: { baseURL: `https://127.0.0.1:${ctx.port}`, apiKey },
  });
  const sdk = (op, args = {}) => ctx.worker.call(op, { ...clients(), ...args });

  describe("official SDKs through Airlock", () => {
    before(async () => {
      try {
        await setUp();
      } catch (err) {
        failures++;
        throw err;
      }
    });

    const setUp = async () => {
      const started = Date.now();
      ctx.tmp = await mkdtemp(path.join(tmpdir(), "airlock-sdk-"));

      ctx.mock = new Proc("mock_upstream", mockBin, [], cleanEnv());
      ctx.mockPort = (await ctx.mock.jsonLine("stdout", "port line", (j) => Number.isInteger(j.port))).port;

      const keyFile = path.join(ctx.tmp, "vendor.key");
      await writeFile(keyFile, VENDOR_KEY, { mode: 0o600 });
      await chmod(keyFile, 0o600); // the umask may have narrowed it further; never wider
      const provision = {
        providers: [
          { name: "mock", type: "openai", base_url: `http://127.0.0.1:${ctx.mockPort}/v1`, api_key_file: keyFile, internal: true },
          { name: "mock-anthropic", type: "anthropic", base_url: `http://127.0.0.1:${ctx.mockPort}`, api_key_file: keyFile, internal: true },
          // An OpenAI-compatible server with Chat Completions only: the Responses API reaches it translated.
          { name: "mock-chat", type: "openai", base_url: `http://127.0.0.1:${ctx.mockPort}/v1`, api_key_file: keyFile, internal: true, responses: false },
        ],
        models: [
          { name: "gpt-test", targets: [{ provider: "mock", model: "gpt-upstream" }] },
          { name: "claude-test", targets: [{ provider: "mock-anthropic", model: "claude-upstream" }] },
          { name: "embed-test", targets: [{ provider: "mock", model: "embed-upstream" }] },
          { name: "echo-test", targets: [{ provider: "mock", model: "echo" }] },
          { name: "claude-echo", targets: [{ provider: "mock-anthropic", model: "echo" }] },
          // Across dialects: the gateway translates both ways (the mock's tool* models echo, and call
          // the first tool offered).
          { name: "claude-on-openai", targets: [{ provider: "mock", model: "tool-openai" }] },
          { name: "gpt-tools", targets: [{ provider: "mock", model: "tool-responses" }] },
          { name: "local-tools", targets: [{ provider: "mock-chat", model: "tool-chat" }] },
          { name: "gpt-on-anthropic", targets: [{ provider: "mock-anthropic", model: "tool-anthropic" }] },
        ],
        // Guardrails mask both ways for every key that does not say otherwise; a codename blocks.
        guardrails: {
          requests: "mask",
          responses: "mask",
          rules: [{ name: "codenames", keywords: ["bluebird"], label: "[CODENAME]", action: "block" }],
        },
      };
      const provisionFile = path.join(ctx.tmp, "provision.json");
      await writeFile(provisionFile, JSON.stringify(provision, null, 2));

      const dataDir = path.join(ctx.tmp, "data");
      ctx.env = { ...cleanEnv(), AIRLOCK_DATA_DIR: dataDir, AIRLOCK_LISTEN: "127.0.0.1:0", AIRLOCK_PROVISION_FILE: provisionFile };
      ctx.airlock = new Proc("airlock", airlockBin, ["serve"], ctx.env);
      ctx.port = (await ctx.airlock.jsonLine("stderr", 'log line "listening"', (j) => j.msg === "listening")).port;
      assert.ok(Number.isInteger(ctx.port) && ctx.port > 0, `listening line without a port: ${ctx.port}`);
      ctx.fingerprint = await ctx.airlock.waitForLine("stdout", "certificate fingerprint", (line) =>
        line.match(/TLS certificate SHA-256 fingerprint: ([0-9A-F:]+)/)?.[1],
      );
      ctx.certFile = path.join(dataDir, "tls", "cert.pem");
      ctx.certPem = await readFile(ctx.certFile, "utf8");

      // The main key monitors only (events pass byte for byte, as the stream steps check); the
      // others inherit the policy (mask) or override it both ways.
      const { stdout } = await run(airlockBin, ["key", "create", "--name", "sdk", "--guardrails=monitor"], ctx.env);
      const lines = stdout.split("\n").filter((l) => l.trim() !== "");
      assert.equal(lines.length, 1, `key create printed ${lines.length} lines on stdout`);
      ctx.key = lines[0].trim();
      assert.match(ctx.key, /^alk_/);
      // Keys that override the policy: an internal tool with guardrails off, a strict app that blocks.
      for (const [name, flag] of [["maskKey", "inherit"], ["offKey", "off"], ["blockKey", "block"]]) {
        const made = await run(airlockBin, ["key", "create", "--name", name, `--guardrails=${flag}`], ctx.env);
        ctx[name] = made.stdout.trim();
        assert.match(ctx[name], /^alk_/);
      }

      ctx.worker = new SdkWorker(ctx.certFile);
      await ctx.worker.ready;
      if (process.env.SDK_DEBUG) console.error(`# setup took ${Date.now() - started} ms`);
    };

    after(async () => {
      ctx.worker?.stop();
      if (failures > 0) {
        for (const p of [ctx.airlock, ctx.mock]) if (p) console.error(`# --- last output of ${p.name} ---\n${p.tail()}`);
      }
      const stops = [];
      if (ctx.airlock?.running) stops.push(ctx.airlock.stop().catch((e) => console.error(`# ${e.message}`)));
      if (ctx.mock?.running) stops.push(ctx.mock.stop().catch((e) => console.error(`# ${e.message}`)));
      await Promise.all(stops);
      if (ctx.tmp) await rm(ctx.tmp, { recursive: true, force: true });
    });

    step("TLS: the served certificate is <data>/tls/cert.pem, verifies for 127.0.0.1, matches the printed fingerprint", async () => {
      const fileCert = new X509Certificate(ctx.certPem);
      assert.equal(fileCert.fingerprint256, ctx.fingerprint);
      const served = await verifiedPeer(ctx.port, ctx.certPem);
      assert.equal(served.fingerprint256, ctx.fingerprint);
    });

    step("OpenAI chat.completions.create: content, usage, x-request-id", async () => {
      const r = ok(await sdk("openaiChat"));
      assert.equal(r.content, "Hello from mock.");
      assert.equal(r.finish_reason, "stop");
      assert.equal(r.usage?.total_tokens, 30);
      assert.deepEqual(r.usage, { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 });
      assert.ok(r.header, "no x-request-id header on the response");
      assert.match(r.header, REQUEST_ID);
      assert.equal(r.request_id, r.header);
      assert.equal(r._request_id, r.header);
    });

    step("OpenAI chat stream: deltas in order, no empty-choices chunk without include_usage", async () => {
      const r = ok(await sdk("openaiChatStream"));
      assert.ok(r.request_id, "no x-request-id on the stream's response");
      const text = r.chunks.map((c) => c.choices?.[0]?.delta?.content ?? "").join("");
      assert.equal(text, "tok1 tok2 tok3 tok4 ");
      const empty = r.chunks.filter((c) => !Array.isArray(c.choices) || c.choices.length === 0);
      assert.deepEqual(empty, [], "a chunk with empty choices reached a client that did not ask for usage");
      const withUsage = r.chunks.filter((c) => c.usage);
      assert.deepEqual(withUsage, [], "a usage chunk reached a client that did not ask for it");
      assert.equal(r.chunks.at(-1).choices[0].finish_reason, "stop");
      assert.equal(r.chunks.length, 5);
    });

    step("OpenAI chat stream with stream_options.include_usage: the usage chunk arrives", async () => {
      const r = ok(await sdk("openaiChatStream", { includeUsage: true }));
      const text = r.chunks.map((c) => c.choices?.[0]?.delta?.content ?? "").join("");
      assert.equal(text, "tok1 tok2 tok3 tok4 ");
      const usage = r.chunks.filter((c) => c.usage);
      assert.equal(usage.length, 1, `expected one usage chunk, got ${usage.length}`);
      assert.deepEqual(usage[0].choices, []);
      assert.deepEqual(usage[0].usage, { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
      assert.equal(r.chunks.at(-1), r.chunks.find((c) => c.usage), "the usage chunk is not the last one");
    });

    step("OpenAI tools + tool_choice + an undocumented body field reach the upstream untouched", async () => {
      const tools = [
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "Current weather for a city",
            parameters: {
              type: "object",
              properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } },
              required: ["city"],
              additionalProperties: false,
            },
            strict: true,
          },
        },
      ];
      const tool_choice = { type: "function", function: { name: "get_weather" } };
      const x_custom_field = { a: 1, nested: { list: [1, "two", null, true, 0.1, -2.5e-8], empty: {} }, "ünï": "😀 \"q\"" };
      const { value, upstream } = await upstreamOf(() => sdk("openaiTools", { tools, tool_choice, x_custom_field }));
      assert.equal(ok(value).content, "Hello from mock.");
      assert.equal(upstream.length, 1, `expected one upstream request, got ${upstream.length}`);
      const [req] = upstream;
      assert.equal(req.method, "POST");
      assert.equal(req.path, "/v1/chat/completions");
      const body = JSON.parse(req.body);
      assert.equal(body.model, "gpt-upstream");
      assert.deepEqual(body.tools, tools);
      assert.deepEqual(body.tool_choice, tool_choice);
      assert.deepEqual(body.x_custom_field, x_custom_field);
      assert.deepEqual(body.messages, [{ role: "user", content: "What is the weather in Paris?" }]);
    });

    step("OpenAI embeddings with the SDK default (base64): 3 floats ~[0.1, 0.2, 0.3]", async () => {
      const { value, upstream } = await upstreamOf(() => sdk("openaiEmbed"));
      const r = ok(value);
      assert.equal(upstream.length, 1);
      const body = JSON.parse(upstream[0].body);
      assert.equal(upstream[0].path, "/v1/embeddings");
      assert.equal(body.model, "embed-upstream");
      assert.equal(body.encoding_format, "base64", "the SDK's default encoding_format did not reach the upstream");
      assert.equal(r.data.length, 1);
      const v = r.data[0].embedding;
      assert.ok(Array.isArray(v), `embedding is not an array: ${JSON.stringify(v)}`);
      assert.equal(v.length, 3);
      [0.1, 0.2, 0.3].forEach((want, i) => assert.ok(Math.abs(v[i] - want) < 1e-6, `embedding[${i}] = ${v[i]}, want ~${want}`));
    });

    step("OpenAI models.list: includes the provisioned names", async () => {
      const r = ok(await sdk("openaiModels"));
      assert.ok(r.ids.includes("gpt-test"), `models: ${JSON.stringify(r.ids)}`);
      for (const id of ["claude-test", "embed-test"]) assert.ok(r.ids.includes(id), `${id} missing from ${JSON.stringify(r.ids)}`);
    });

    step("OpenAI unknown model: NotFoundError 404, code model_not_found", async () => {
      const e = failed(await sdk("openaiChat", { model: "no-such-model" }));
      assert.ok(e.classes.includes("NotFoundError"), `error is ${e.name} (${e.classes}): ${e.message}`);
      assert.equal(e.status, 404);
      assert.equal(e.code, "model_not_found");
      assert.ok(e.requestID, "the error has no request id");
    });

    step("OpenAI bad key: AuthenticationError 401", async () => {
      const badKey = ctx.key.slice(0, -4) + (ctx.key.endsWith("AAAA") ? "BBBB" : "AAAA");
      const e = failed(await sdk("openaiChat", clients(badKey)));
      assert.ok(e.classes.includes("AuthenticationError"), `error is ${e.name} (${e.classes}): ${e.message}`);
      assert.equal(e.status, 401);
      const e2 = failed(await sdk("openaiChat", clients("not-a-gateway-key")));
      assert.ok(e2.classes.includes("AuthenticationError"), `error is ${e2.name} (${e2.classes}): ${e2.message}`);
      assert.equal(e2.status, 401);
    });

    step("Anthropic messages.create: text, usage, request-id", async () => {
      const r = ok(await sdk("anthropicCreate"));
      assert.equal(r.text, "Hello from mock.");
      assert.equal(r.stop_reason, "end_turn");
      assert.equal(r.usage?.input_tokens, 10);
      assert.equal(r.usage?.output_tokens, 20);
      assert.ok(r.request_id, "no request-id header on the response");
      assert.match(r.request_id, REQUEST_ID);
      assert.equal(r._request_id, r.request_id);
    });

    step("Anthropic messages.stream: events, text, finalMessage usage", async () => {
      const r = ok(await sdk("anthropicStream"));
      assert.deepEqual(r.events, [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
      ]);
      assert.equal(r.text, "tok1 tok2 tok3 ");
      assert.equal(r.finalText, "tok1 tok2 tok3 ");
      assert.equal(r.stop_reason, "end_turn");
      assert.equal(r.usage?.output_tokens, 3);
      assert.ok(r.request_id, "no request-id header on the stream's response");
      assert.match(r.request_id, REQUEST_ID);
    });

    step("OpenAI responses.create (plain and streamed, a function tool) and retrieve: its key only", async () => {
      const plain = ok(await sdk("openaiResponses"));
      assert.equal(plain.status, "completed");
      assert.equal(plain.output_text, MOCK_TOOL_TEXT);
      const call = plain.output.find((o) => o.type === "function_call");
      assert.ok(call, `no function_call in ${JSON.stringify(plain.output)}`);
      assert.equal(call.name, "get_weather");
      assert.deepEqual(JSON.parse(call.arguments), MOCK_TOOL_ARGS);
      assert.equal(plain.usage.input_tokens_details.cached_tokens, 3);
      assert.equal(plain.usage.output_tokens_details.reasoning_tokens, 2);

      const streamed = ok(await sdk("openaiResponses", { stream: true }));
      assert.equal(streamed.types[0], "response.created");
      assert.equal(streamed.types.at(-1), "response.completed");
      assert.equal(streamed.text, MOCK_TOOL_TEXT);
      assert.deepEqual(JSON.parse(streamed.args), MOCK_TOOL_ARGS);
      assert.ok(streamed.argDeltas > 1, "the arguments arrived in one piece; the mock splits them");
      assert.deepEqual(JSON.parse(streamed.output.find((o) => o.type === "function_call").arguments), MOCK_TOOL_ARGS);

      for (const id of [plain.id, streamed.id]) {
        const again = ok(await sdk("openaiResponsesRetrieve", { id }));
        assert.equal(again.id, id);
        assert.equal(again.output_text, MOCK_TOOL_TEXT);
        const other = failed(await sdk("openaiResponsesRetrieve", { id, ...clients(ctx.maskKey) }));
        assert.equal(other.status, 404);
        assert.ok(other.classes.includes("NotFoundError"), `error is ${other.name} (${other.classes})`);
      }
    });

    step("OpenAI responses.create to a chat-only model: translated, plain and streamed with a function tool", async () => {
      const plain = await upstreamOf(() => sdk("openaiResponses", { model: "local-tools" }));
      const r = ok(plain.value);
      assert.equal(plain.upstream[0].path, "/v1/chat/completions");
      assert.equal(r.status, "completed");
      assert.equal(r.output_text, MOCK_TOOL_TEXT);
      assert.deepEqual(JSON.parse(r.output.find((o) => o.type === "function_call").arguments), MOCK_TOOL_ARGS);
      const streamed = ok(await sdk("openaiResponses", { model: "local-tools", stream: true }));
      assert.equal(streamed.types[0], "response.created");
      assert.equal(streamed.types.at(-1), "response.completed");
      assert.equal(streamed.text, MOCK_TOOL_TEXT);
      assert.deepEqual(JSON.parse(streamed.args), MOCK_TOOL_ARGS);
      assert.ok(streamed.argDeltas > 1, "the arguments arrived in one piece; the mock splits them");
      assert.equal(streamed.usage.input_tokens, 10);
    });

    step("Anthropic messages.countTokens: the vendor's count, through the same key", async () => {
      const { value, upstream } = await upstreamOf(() => sdk("anthropicCountTokens"));
      assert.equal(ok(value).input_tokens, 31); // the mock counts 10 per message + 1
      assert.equal(upstream.length, 1);
      assert.equal(upstream[0].path, "/v1/messages/count_tokens");
      const e = failed(await sdk("anthropicCountTokens", { model: "gpt-test" }));
      assert.equal(e.status, 400);
      // The Anthropic SDK's error classes are not enumerable on its export: its name says it.
      assert.equal(e.name, "BadRequestError");
      assert.equal(e.error?.error?.type, "invalid_request_error");
    });

    step("Anthropic SDK to an OpenAI-type model: create, stream, and a streamed tool call, translated", async () => {
      const plain = await upstreamOf(() => sdk("anthropicCross"));
      const r = ok(plain.value);
      assert.equal(r.type, "message");
      assert.deepEqual(r.content, [{ type: "text", text: "Say hello." }]); // the mock echoes the prompt
      assert.equal(r.stop_reason, "end_turn");
      assert.equal(plain.upstream[0].path, "/v1/chat/completions");
      const sent = JSON.parse(plain.upstream[0].body);
      assert.deepEqual(sent.messages, [{ role: "user", content: "Say hello." }]);

      const streamed = ok(await sdk("anthropicCross", { stream: true, content: "Tell me a longer story please." }));
      assert.equal(streamed.text, "Tell me a longer story please.");
      assert.equal(streamed.events[0], "message_start");
      assert.equal(streamed.events.at(-1), "message_stop");
      assert.equal(streamed.stop_reason, "end_turn");

      const tools = ok(await sdk("anthropicCross", { stream: true, tools: true }));
      assert.equal(tools.text, MOCK_TOOL_TEXT);
      assert.equal(tools.stop_reason, "tool_use");
      const use = tools.content.find((b) => b.type === "tool_use");
      assert.ok(use, `no tool_use block in ${JSON.stringify(tools.content)}`);
      assert.equal(use.name, "get_weather");
      assert.deepEqual(use.input, MOCK_TOOL_ARGS);
      assert.ok(tools.partials > 1, "the tool input arrived in one piece; the mock splits it");
      assert.equal(tools.usage.cache_read_input_tokens, 4);
      assert.equal(tools.usage.input_tokens, 6); // 10 prompt tokens, 4 of them cached
      assert.equal(tools.usage.output_tokens, 20);
    });

    step("OpenAI SDK to an Anthropic-type model: create, stream, and a streamed tool call, translated", async () => {
      const plain = await upstreamOf(() => sdk("openaiCross"));
      const r = ok(plain.value);
      assert.equal(r.object, "chat.completion");
      assert.equal(r.text, "Say hello.");
      assert.equal(r.finish_reason, "stop");
      assert.equal(plain.upstream[0].path, "/v1/messages");
      const sent = JSON.parse(plain.upstream[0].body);
      assert.equal(sent.max_tokens, 4096); // Anthropic needs one; the README says which
      assert.deepEqual(sent.messages, [{ role: "user", content: [{ type: "text", text: "Say hello." }] }]);

      const streamed = ok(await sdk("openaiCross", { stream: true, content: "Tell me a longer story please." }));
      assert.equal(streamed.text, "Tell me a longer story please.");
      assert.equal(streamed.finish_reason, "stop");
      assert.ok(streamed.usage, "no usage chunk though the client asked for one");

      const tools = ok(await sdk("openaiCross", { stream: true, tools: true }));
      assert.equal(tools.text, MOCK_TOOL_TEXT);
      assert.equal(tools.finish_reason, "tool_calls");
      assert.equal(tools.calls.length, 1);
      assert.equal(tools.calls[0].id, "toolu_mock1");
      assert.equal(tools.calls[0].name, "get_weather");
      assert.deepEqual(JSON.parse(tools.calls[0].arguments), MOCK_TOOL_ARGS);
      assert.ok(tools.argChunks > 1, "the arguments arrived in one piece; the mock splits them");
      assert.deepEqual(tools.usage, { prompt_tokens: 16, completion_tokens: 20, total_tokens: 36, prompt_tokens_details: { cached_tokens: 4 } });

      const whole = ok(await sdk("openaiCross", { tools: true }));
      assert.equal(whole.finish_reason, "tool_calls");
      assert.deepEqual(JSON.parse(whole.tool_calls[0].function.arguments), MOCK_TOOL_ARGS);
    });

    const PII = "Write to ann.lee@example.com, card 4111 1111 1111 1111, call (202) 555-0178.";
    const MASKED = "Write to [EMAIL], card [CARD], call [PHONE].";
    const noPii = (upstream) => {
      for (const r of upstream)
        for (const p of ["ann.lee@example.com", "4111 1111 1111 1111", "(202) 555-0178"])
          assert.ok(!r.body.includes(p), `${r.path} received ${p}`);
    };

    step("guardrails mask: OpenAI chat, stream and tools parse in the SDK; the vendor got no PII; answers masked", async () => {
      const tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: {} } } }];
      const { value, upstream } = await upstreamOf(async () => [
        ok(await sdk("openaiEcho", { ...clients(ctx.maskKey), content: PII })),
        ok(await sdk("openaiEcho", { ...clients(ctx.maskKey), content: PII, stream: true })),
        ok(await sdk("openaiEcho", { ...clients(ctx.maskKey), content: PII, tools })),
      ]);
      assert.equal(upstream.length, 3);
      noPii(upstream);
      assert.equal(JSON.parse(upstream[0].body).messages[0].content, MASKED);
      for (const r of value) assert.equal(r.text, MASKED);
      assert.equal(value[1].finish_reason, "stop");
    });

    step("guardrails mask: Anthropic messages and stream parse; text masked both ways", async () => {
      const { value, upstream } = await upstreamOf(async () => [
        ok(await sdk("anthropicEcho", { ...clients(ctx.maskKey), content: PII })),
        ok(await sdk("anthropicEcho", { ...clients(ctx.maskKey), content: PII, stream: true })),
      ]);
      noPii(upstream);
      assert.equal(value[0].text, MASKED);
      assert.equal(value[1].text, MASKED);
      assert.equal(value[1].finalText, MASKED);
      assert.equal(value[1].stop_reason, "end_turn");
    });

    step("guardrails block: both SDKs raise BadRequestError naming the rule, never quoting it", async () => {
      const { value, upstream } = await upstreamOf(async () => [
        failed(await sdk("openaiEcho", { ...clients(ctx.maskKey), content: "Status of project Bluebird?" })),
        failed(await sdk("anthropicEcho", { ...clients(ctx.maskKey), content: "Status of project Bluebird?" })),
      ]);
      assert.equal(upstream.length, 0, "a blocked request reached the vendor");
      for (const e of value) {
        // The Anthropic SDK's error classes are not enumerable on its export: its name says it.
        assert.ok(e.classes.includes("BadRequestError") || e.name === "BadRequestError", `error is ${e.name} (${e.classes}): ${e.message}`);
        assert.equal(e.status, 400);
        assert.match(e.message, /codenames/);
        assert.ok(!/bluebird/i.test(e.message), `the error quotes the match: ${e.message}`);
      }
      assert.equal(value[0].code, "content_policy_violation");
    });

    step("guardrails per key: an override loosens (off) and tightens (block) the policy", async () => {
      const { value, upstream } = await upstreamOf(() => sdk("openaiEcho", { ...clients(ctx.offKey), content: PII }));
      assert.equal(ok(value).text, PII, "guardrails off: the text goes both ways as it is");
      assert.equal(JSON.parse(upstream[0].body).messages[0].content, PII);
      const e = failed(await sdk("openaiEcho", { ...clients(ctx.blockKey), content: PII }));
      assert.ok(e.classes.includes("BadRequestError"), `error is ${e.name} (${e.classes}): ${e.message}`);
      assert.match(e.message, /email|card|phone/);
    });

    step("upstream requests: vendor key on every one, the gateway key on none", async () => {
      const requests = await mockRequests();
      assert.ok(requests.length >= 7, `only ${requests.length} upstream requests recorded`);
      const secret = ctx.key.split("_").at(-1); // the key's secret part alone must not travel either
      for (const r of requests) {
        const where = `${r.method} ${r.path}`;
        const text = JSON.stringify(r.headers) + "\n" + r.body;
        assert.ok(!text.includes(ctx.key), `${where} carries the gateway key`);
        assert.ok(!/alk_/.test(text), `${where} carries something alk_-shaped: ${text}`);
        assert.ok(!text.includes(secret), `${where} carries the gateway key's secret`);
        if (r.path === "/v1/messages" || r.path === "/v1/messages/count_tokens") {
          assert.equal(r.headers["x-api-key"], VENDOR_KEY, `${where}: x-api-key`);
          assert.equal(r.headers.authorization, undefined, `${where}: an authorization header went to Anthropic`);
        } else {
          assert.equal(r.headers.authorization, `Bearer ${VENDOR_KEY}`, `${where}: authorization`);
          assert.equal(r.headers["x-api-key"], undefined, `${where}: an x-api-key header went to OpenAI`);
        }
      }
      const paths = new Set(requests.map((r) => r.path));
      for (const p of ["/v1/chat/completions", "/v1/embeddings", "/v1/messages"]) assert.ok(paths.has(p), `no upstream ${p}`);
    });

    step("SIGTERM: airlock exits 0", async () => {
      ctx.worker.stop();
      const exit = await ctx.airlock.stop();
      assert.deepEqual(exit, { code: 0, signal: null });
    });
  });
}
