#!/usr/bin/env node
// `npm run bench`: the benchmark the contract names (see bench/README.md). Plain CommonJS on the
// compiled service (dist/), so it runs with `node bench/run.js [--smoke] [--duration=S]`.
//
// One run, on 127.0.0.1 only: its own redis-server, the dev IdP in this process, and two compiled
// service instances (A and B) as child processes sharing that Redis. Every phase is bounded in time;
// everything started here is stopped in `finally`, on SIGINT/SIGTERM, and on a global watchdog.
// Human-readable progress first; the last line printed is exactly one JSON object.
const { spawn, spawnSync } = require('node:child_process');
const { createHash, randomBytes, randomUUID, sign: cryptoSign } = require('node:crypto');
const { existsSync } = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { clearTimeout } = require('node:timers');
const { Buffer } = require('node:buffer');
const { URLSearchParams } = require('node:url');

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');
const HOST = '127.0.0.1';

// The kickstart's public values (kickstart/kickstart.json; test/support/dev-idp.ts).
const K = {
  applicationId: 'e9fdb985-9173-4e01-9d73-ac2d60d1dc8e',
  apiKey: '33052c8a-c283-4e96-9d2a-eb1215c69f8f-not-for-prod',
  richard: { email: 'richard@example.com', password: 'password' },
};

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = { smoke: false, duration: undefined, connections: 10, revocations: undefined, help: false };
  for (const arg of argv) {
    const [name, value] = arg.split('=', 2);
    if (name === '--smoke') opts.smoke = true;
    else if (name === '--duration') opts.duration = positiveNumber(name, value);
    else if (name === '--connections') opts.connections = Math.floor(positiveNumber(name, value));
    else if (name === '--revocations') opts.revocations = Math.floor(positiveNumber(name, value));
    else if (name === '--help' || name === '-h') opts.help = true;
    else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  const smoke = opts.smoke;
  const duration = opts.duration ?? (smoke ? 2 : 10);
  return {
    smoke,
    help: opts.help,
    connections: opts.connections,
    /** Seconds per measured route, and of the webhook phase. */
    durationS: duration,
    /** Each route is warmed up (JIT, key fetch, connection pools) before it is measured. */
    warmupS: Math.min(2, Math.max(0.5, duration / 5)),
    revocations: opts.revocations ?? (smoke ? 20 : 200),
    revocationPollTimeoutMs: 5000,
    /** At most this many pre-signed webhook events (enough for 6 000/s, 1 000/s in a smoke run). */
    webhookPool: Math.min(120_000, Math.max(500, Math.ceil((smoke ? 1000 : 6000) * duration))),
    denylistEntries: smoke ? 10_000 : 100_000,
    denylistTtlMs: 3000,
  };
}

function positiveNumber(name, value) {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number (got ${value})`);
  return n;
}

const USAGE = `usage: node bench/run.js [--smoke] [--duration=S] [--connections=N] [--revocations=N]
  --smoke          a short run (2 s per route, 20 revocations, 10 000 denylist entries)
  --duration=S     seconds per measured route and for the webhook phase (default 10, smoke 2)
  --connections=N  concurrent connections for the route and webhook phases (default 10)
  --revocations=N  revocations timed from A's 200 to B's 401 (default 200, smoke 20)
Run \`npm run build\` first (\`npm run bench\` does). The last line printed is one JSON object.`;

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (n, digits = 2) => (n === null || n === undefined ? null : Number(n.toFixed(digits)));
const log = (line) => console.log(line);
const loud = (line) => console.log(`!!! ${line}`);

class TimeoutError extends Error {}

/** Rejects with a TimeoutError when `promise` has not settled after `ms`. */
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Nearest-rank percentile of numbers sorted ascending. */
function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Keeps the last lines a child wrote, for the error message if it fails. */
function tail(max = 200) {
  const lines = [];
  return {
    push(chunk) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        lines.push(line);
        if (lines.length > max) lines.shift();
      }
    },
    text: () => lines.join('\n'),
  };
}

// One keep-alive agent per purpose: sequential clients reuse one socket, concurrent ones a pool.
const agents = [];
function agent(maxSockets) {
  const a = new http.Agent({ keepAlive: true, maxSockets });
  agents.push(a);
  return a;
}

/**
 * One HTTP request. Resolves with the status, headers, body, and `at`: performance.now() when the
 * response headers arrived. Bounded by `timeoutMs`.
 */
function request(url, { method = 'GET', headers = {}, body, agent: via, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: via }, (res) => {
      const at = performance.now();
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), at }),
      );
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new TimeoutError(`${method} ${url} timed out`)));
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/** Runs `worker(item)` over items with at most `limit` at once. */
async function pool(items, limit, worker) {
  const results = new Array(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await worker(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return results;
}

// ---------------------------------------------------------------------------------------------
// What this run started, and how to stop all of it (idempotent; also on signals and the watchdog)
// ---------------------------------------------------------------------------------------------

const children = new Set();
const closers = [];
let cleaning;
let activeCannon;

function cleanup() {
  cleaning ??= (async () => {
    if (activeCannon) activeCannon.stop();
    for (const close of closers.reverse()) {
      try {
        await within(close(), 5000, 'a shutdown step');
      } catch (error) {
        loud(`cleanup: ${error.message}`);
      }
    }
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const a of agents) a.destroy();
  })();
  return cleaning;
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. Resolves once it has exited. */
function stopChild(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

// A last resort: whatever way this process ends, no child outlives it, and an end without the
// report is never a success.
let reported = false;
process.on('exit', () => {
  if (!reported && !process.exitCode) process.exitCode = 1;
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    loud(`${signal}: stopping everything this benchmark started`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// The stack: redis-server, the dev IdP, services A and B
// ---------------------------------------------------------------------------------------------

async function startRedis() {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const binary = found.status === 0 ? found.stdout.trim() : undefined;
  if (!binary) {
    throw new Error(
      'redis-server is not on the PATH (apt-get install redis-server, or brew install redis): ' +
        'the benchmark starts a Redis of its own',
    );
  }
  const port = await freePort();
  const output = tail(50);
  const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no'];
  const child = track(spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  child.stdout.on('data', (d) => output.push(d));
  child.stderr.on('data', (d) => output.push(d));
  closers.push(() => stopChild(child, 2000));
  const url = `redis://${HOST}:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}:\n${output.text()}`);
    const client = await redisClient(url).catch(() => undefined);
    if (client) return { url, port, client };
    await sleep(50);
  }
  throw new Error(`redis-server on port ${port} did not answer:\n${output.text()}`);
}

async function redisClient(url) {
  const { createClient } = require('redis');
  const client = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    if (client.isOpen) client.destroy();
    throw error;
  }
  closers.push(async () => {
    if (client.isOpen) client.destroy();
  });
  return client;
}

function nodeArgs() {
  return (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

async function startService(name, { port, env }) {
  const output = tail();
  const child = track(
    // BENCH_SERVICE_NODE_ARGS (say `--cpu-prof --cpu-prof-dir=/tmp/prof`) goes to the services' node.
    spawn(process.execPath, [...nodeArgs(), join(DIST, 'main.js')], {
      cwd: ROOT,
      // Only what is named here: nothing inherited (a REDIS_URL of the caller, say) changes the run.
      env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  // Always drained: a full pipe would stall the service.
  child.stdout.on('data', (d) => output.push(d));
  child.stderr.on('data', (d) => output.push(d));
  closers.push(() => stopChild(child));
  const url = `http://${HOST}:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`service ${name} exited (${child.exitCode ?? child.signalCode}):\n${output.text()}`);
    }
    const res = await request(`${url}/health/live`, { timeoutMs: 1000 }).catch(() => undefined);
    if (res?.status === 200) return { name, url, port, child, output };
    await sleep(100);
  }
  throw new Error(`service ${name} did not answer GET /health/live within 30 s:\n${output.text()}`);
}

async function startStack() {
  const main = join(DIST, 'main.js');
  const devIdpModule = join(DIST, 'dev-idp', 'dev-idp.js');
  if (!existsSync(main) || !existsSync(devIdpModule)) {
    throw new Error(`${main} is missing: run \`npm run build\` first (\`npm run bench\` does)`);
  }
  const redis = await startRedis();
  log(`  redis-server ${redis.url}`);
  const [portA, portB] = [await freePort(), await freePort()];
  const urlA = `http://${HOST}:${portA}`;

  const { DevIdp } = require(devIdpModule);
  const idp = await DevIdp.start({
    port: 0,
    host: HOST,
    kickstartPath: join(ROOT, 'kickstart', 'kickstart.json'),
    // FusionAuth's own webhooks (registrations, logins) go to A, as an operator would configure.
    env: { SERVICE_WEBHOOK_URL: `${urlA}/webhooks/fusionauth` },
  });
  closers.push(() => idp.close());
  await idp.useIssuer(idp.url);
  log(`  dev IdP ${idp.url} (issuer ${idp.issuer})`);

  const keyPrefix = `bench${randomBytes(2).toString('hex')}:`;
  const common = {
    NODE_ENV: 'development',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: keyPrefix,
    SESSION_STORE: 'redis',
    SESSION_SECRET: 'bench-session-secret-0123456789abcdef-not-for-production',
    OIDC_ISSUER: idp.issuer,
    FUSIONAUTH_URL: idp.url,
    // The bench posts thousands of webhooks and signs in many times from one address: the limits
    // are measured elsewhere (the security suite), not here.
    RATE_LIMIT_WEBHOOK: '100000000/10',
    RATE_LIMIT_LOGIN: '1000000/60',
  };
  const [a, b] = await Promise.all([
    startService('A', { port: portA, env: { ...common, APP_URL: urlA } }),
    startService('B', { port: portB, env: { ...common, APP_URL: `http://${HOST}:${portB}` } }),
  ]);
  log(`  service A ${a.url}, service B ${b.url} (key prefix ${keyPrefix})`);
  return { redis, idp, a, b, keyPrefix };
}

// ---------------------------------------------------------------------------------------------
// Preparation: a bearer token, a browser session, and fresh users for the revocation phase
// ---------------------------------------------------------------------------------------------

function fusionAuthClient(idp) {
  const { FusionAuthClient } = require('@fusionauth/typescript-client');
  // The kickstart makes two tenants: creating a user names the default one.
  return new FusionAuthClient(K.apiKey, idp.url, idp.state.defaultTenantId);
}

function describeClientError(error) {
  if (error instanceof Error) return error.message;
  return `status ${error?.statusCode} ${JSON.stringify(error?.exception ?? error?.response ?? error)}`;
}

async function bearerToken(fa) {
  try {
    const { response } = await fa.login({
      loginId: K.richard.email,
      password: K.richard.password,
      applicationId: K.applicationId,
    });
    return response.token;
  } catch (error) {
    throw new Error(`the Login API refused ${K.richard.email}: ${describeClientError(error)}`, { cause: error });
  }
}

/** A signed-in browser: the service's password form, its CSRF token and cookie, then the `sid` cookie. */
async function browserSession(service) {
  const cookieOf = (res, name) => {
    const set = [].concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${name}=`));
    return set ? set.split(';')[0] : undefined;
  };
  const form = await request(`${service.url}/auth/password-login`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1];
  // Before login the form's token is a double-submit one: its cookie, not a session, goes with it.
  const preLogin = cookieOf(form, 'csrf');
  if (form.status !== 200 || !csrf || !preLogin) {
    throw new Error(`GET /auth/password-login answered ${form.status} without a form and its token cookie`);
  }
  const body = new URLSearchParams({ _csrf: csrf, email: K.richard.email, password: K.richard.password }).toString();
  const posted = await request(`${service.url}/auth/password-login`, {
    method: 'POST',
    headers: {
      cookie: preLogin,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
    },
    body,
  });
  const cookie = cookieOf(posted, 'sid');
  if (posted.status !== 302 || !cookie) throw new Error(`POST /auth/password-login answered ${posted.status}, not 302`);
  const page = await request(`${service.url}/account`, { headers: { cookie } });
  if (page.status !== 200) throw new Error(`GET /account with the new session answered ${page.status}`);
  return cookie;
}

/** Fresh registered users, each with the access token its registration returned. */
async function freshUsers(fa, count) {
  const batch = randomBytes(3).toString('hex');
  return pool(
    Array.from({ length: count }, (_, i) => i),
    4,
    async (i) => {
      try {
        const { response } = await fa.register(undefined, {
          user: {
            email: `bench-${batch}-${i}@example.com`,
            password: 'password',
            firstName: 'Bench',
            lastName: `${i}`,
          },
          registration: { applicationId: K.applicationId },
        });
        if (!response.token) throw new Error('the registration returned no access token');
        return { id: response.user.id, email: response.user.email, token: response.token };
      } catch (error) {
        throw new Error(`registering a user failed: ${describeClientError(error)}`, { cause: error });
      }
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Webhook events, signed as FusionAuth signs them
// ---------------------------------------------------------------------------------------------

/** signatureJwt(key, body) from the dev IdP: what the service's tests sign webhooks with. */
const signatureJwt = (key, body) =>
  require(join(DIST, 'dev-idp', 'webhooks', 'webhook-sender.js')).signatureJwt(key, body);

/** The dev IdP's webhook signing key: the one its (only) webhook's signatureConfiguration names. */
function webhookKey(idp) {
  const webhook = [...idp.state.webhooks.values()][0];
  const keyId = webhook?.signatureConfiguration?.signingKeyId;
  const key = keyId && idp.state.keys.get(keyId);
  if (!key) throw new Error('the dev IdP has no webhook signing key (kickstart/kickstart.json)');
  return key;
}

/** A `jwt.refresh-token.revoke` for every token of `userId` issued at or before now. */
function revokeAllOfUser(idp, userId, email) {
  return JSON.stringify({
    event: {
      applicationTimeToLiveInSeconds: { [K.applicationId]: 3600 },
      createInstant: Date.now(),
      id: randomUUID(),
      tenantId: idp.state.defaultTenantId,
      type: 'jwt.refresh-token.revoke',
      userId,
      user: { active: true, email, id: userId, verified: true },
    },
  });
}

const b64url = (value) => Buffer.from(value).toString('base64url');

/**
 * Signs many bodies fast: the same JWT as signatureJwt() (header {alg, typ, kid}, claim
 * request_body_sha256), signed on libuv's thread pool. RS256 is deterministic, so the first one is
 * checked byte for byte against signatureJwt(); any other algorithm uses signatureJwt() itself.
 */
async function signer(key) {
  const slow = (body) => signatureJwt(key, body);
  if (key.algorithm !== 'RS256' || !key.privateKey) return slow;
  const header = b64url(JSON.stringify({ alg: key.algorithm, typ: 'JWT', kid: key.kid }));
  const fast = (body) =>
    new Promise((resolve, reject) => {
      const sha = createHash('sha256').update(body).digest('base64');
      const input = `${header}.${b64url(JSON.stringify({ request_body_sha256: sha }))}`;
      cryptoSign('sha256', Buffer.from(input), key.privateKey, (error, signature) =>
        error ? reject(error) : resolve(`${input}.${signature.toString('base64url')}`),
      );
    });
  const probe = '{"event":{"id":"signature-self-check"}}';
  if ((await fast(probe)) === (await slow(probe))) return fast;
  loud('the fast signer differs from signatureJwt(); signing with signatureJwt() (slower)');
  return slow;
}

// ---------------------------------------------------------------------------------------------
// Phase 2: requests/s and p99 of three routes on A
// ---------------------------------------------------------------------------------------------

function cannon(opts) {
  const autocannon = require('autocannon');
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (error, result) => {
      activeCannon = undefined;
      if (error) reject(error);
      else resolve(result);
    });
    activeCannon = instance;
  });
}

const ROUTE_ROUNDS = 5;

async function routesPhase(ctx, cfg) {
  const { a } = ctx.stack;
  const routes = [
    { key: 'unguarded', path: '/health/live', headers: {} },
    { key: 'guarded', path: '/api/me', headers: { authorization: `Bearer ${ctx.token}` } },
    { key: 'session_page', path: '/account', headers: { cookie: ctx.cookie } },
  ];
  for (const route of routes) {
    const res = await request(`${a.url}${route.path}`, { headers: route.headers });
    if (res.status !== 200) throw new Error(`GET ${route.path} answered ${res.status} before the run, not 200`);
  }
  for (const route of routes) {
    await cannon({
      url: `${a.url}${route.path}`,
      headers: route.headers,
      connections: cfg.connections,
      duration: cfg.warmupS,
    });
  }
  // The routes take turns, in ROUTE_ROUNDS rounds of a share of the duration each: a machine that is
  // busier for a while (2 shared cores) slows every route alike, and the ratios stay fair.
  const runs = Object.fromEntries(routes.map((route) => [route.key, []]));
  for (let round = 0; round < ROUTE_ROUNDS; round++) {
    for (const route of routes) {
      runs[route.key].push(
        await cannon({
          url: `${a.url}${route.path}`,
          headers: route.headers,
          connections: cfg.connections,
          duration: cfg.durationS / ROUTE_ROUNDS,
        }),
      );
    }
  }
  const out = {};
  for (const route of routes) {
    const rounds = runs[route.key];
    const sum = (pick) => rounds.reduce((total, r) => total + pick(r), 0);
    const ok = sum((r) => r['2xx']);
    const seconds = sum((r) => r.duration);
    const non2xx = sum((r) => r.non2xx);
    const errors = sum((r) => r.errors);
    const timeouts = sum((r) => r.timeouts);
    const statusCodes = {};
    for (const r of rounds)
      for (const [code, st] of Object.entries(r.statusCodeStats))
        statusCodes[code] = (statusCodes[code] ?? 0) + st.count;
    const stats = {
      path: route.path,
      rps: round(ok / seconds, 1),
      // The worst round's percentiles: latency is not averaged away.
      p99_ms: Math.max(...rounds.map((r) => r.latency.p99)),
      p50_ms: Math.max(...rounds.map((r) => r.latency.p50)),
      mean_ms: round(sum((r) => r.latency.mean * r['2xx']) / Math.max(ok, 1)),
      ok,
      non2xx,
      errors,
      timeouts,
      status_codes: statusCodes,
      seconds: round(seconds, 3),
      rounds_rps: rounds.map((r) => round(r['2xx'] / r.duration, 1)),
    };
    out[route.key] = stats;
    log(
      `  GET ${route.path.padEnd(13)} ${String(stats.rps).padStart(9)} req/s  p50 ${stats.p50_ms} ms  p99 ${stats.p99_ms} ms` +
        `  (${ok} x 200, ${non2xx} non-2xx, ${errors} errors, ${timeouts} timeouts; rounds ${stats.rounds_rps.join(' / ')})`,
    );
    if (ok === 0) throw new Error(`GET ${route.path}: not one 200 under load`);
    if (non2xx > 0 || errors > 0 || timeouts > 0) {
      ctx.warnings.push(
        `GET ${route.path}: ${non2xx} non-2xx responses (${JSON.stringify(stats.status_codes)}), ` +
          `${errors} errors, ${timeouts} timeouts under load`,
      );
      loud(`GET ${route.path} did not answer 200 to every request: ${ctx.warnings.at(-1)}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Phase 3: a revocation on A, seen by B
// ---------------------------------------------------------------------------------------------

async function revocationPhase(ctx, cfg) {
  const { a, b, idp } = ctx.stack;
  const key = webhookKey(idp);
  const viaA = agent(1);
  const viaB = agent(1);
  const me = (token) =>
    request(`${b.url}/api/me`, { headers: { authorization: `Bearer ${token}` }, agent: viaB, timeoutMs: 2000 });
  const latencies = [];
  const counts = { rounds: 0, timeouts: 0, refused_before: 0, webhook_failures: 0, unexpected_statuses: 0 };
  const deadline = Date.now() + Math.max(60_000, cfg.revocations * 300);
  let consecutiveTimeouts = 0;
  for (const user of ctx.users) {
    if (Date.now() > deadline) {
      ctx.warnings.push(`revocation phase stopped at its time bound after ${counts.rounds} rounds`);
      loud(ctx.warnings.at(-1));
      break;
    }
    if (consecutiveTimeouts >= 5) {
      ctx.warnings.push('revocation phase stopped after 5 revocations in a row never reached B');
      loud(ctx.warnings.at(-1));
      break;
    }
    counts.rounds++;
    const before = await me(user.token);
    if (before.status !== 200) {
      counts.refused_before++;
      continue;
    }
    const body = revokeAllOfUser(idp, user.id, user.email);
    const signature = await signatureJwt(key, body);
    const posted = await request(`${a.url}/webhooks/fusionauth`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'x-fusionauth-signature-jwt': signature,
      },
      body,
      agent: viaA,
    });
    if (posted.status !== 200 || !posted.body.includes('"applied"')) {
      counts.webhook_failures++;
      continue;
    }
    const acceptedAt = posted.at;
    let rejectedAt;
    while (performance.now() - acceptedAt < cfg.revocationPollTimeoutMs) {
      const res = await me(user.token).catch(() => undefined);
      if (res?.status === 401) {
        rejectedAt = res.at;
        break;
      }
      if (res?.status !== 200) counts.unexpected_statuses++;
    }
    if (rejectedAt === undefined) {
      counts.timeouts++;
      consecutiveTimeouts++;
      continue;
    }
    consecutiveTimeouts = 0;
    latencies.push(rejectedAt - acceptedAt);
  }
  const measured = latencies.length;
  if (measured === 0) throw new Error(`no revocation was seen by B (${JSON.stringify(counts)})`);
  // A revocation B never showed counts as the poll bound: the percentiles are then lower bounds.
  const all = [...latencies, ...Array(counts.timeouts).fill(cfg.revocationPollTimeoutMs)].sort((x, y) => x - y);
  const stats = {
    ...counts,
    measured,
    p50_ms: round(percentile(all, 0.5), 3),
    p99_ms: round(percentile(all, 0.99), 3),
    max_ms: round(all[all.length - 1], 3),
    mean_ms: round(latencies.reduce((s, x) => s + x, 0) / measured, 3),
    poll_timeout_ms: cfg.revocationPollTimeoutMs,
  };
  log(
    `  ${measured} revocations: p50 ${stats.p50_ms} ms, p99 ${stats.p99_ms} ms, max ${stats.max_ms} ms ` +
      `(${counts.timeouts} never seen by B, ${counts.refused_before} refused before, ${counts.webhook_failures} webhook failures)`,
  );
  const problems = counts.timeouts + counts.refused_before + counts.webhook_failures + counts.unexpected_statuses;
  if (problems > 0 || measured < cfg.revocations) {
    ctx.warnings.push(`revocation phase: ${measured} of ${cfg.revocations} measured (${JSON.stringify(counts)})`);
    loud(ctx.warnings.at(-1));
  }
  return stats;
}

// ---------------------------------------------------------------------------------------------
// Phase 4: distinct signed events applied per second
// ---------------------------------------------------------------------------------------------

/** Signs `count` distinct revoke events (random user ids), stopping early at `deadline`. */
async function signEvents(idp, sign, count, deadline) {
  const signed = [];
  await pool(
    Array.from({ length: count }, () => revokeAllOfUser(idp, randomUUID(), 'x@example.com')),
    8,
    async (body) => {
      if (Date.now() < deadline) signed.push({ body, signature: await sign(body) });
    },
  );
  return signed;
}

/**
 * POSTs the events to the service with autocannon over `connections` connections, each event once:
 * all of them (`durationS` undefined), or for `durationS` seconds. Should the events run out first,
 * the last one is sent again: a duplicate is answered but not counted as applied.
 */
async function postEvents(service, events, connections, durationS, { cycle = false } = {}) {
  const statuses = {};
  let applied = 0;
  let next = 0;
  const result = await cannon({
    url: `${service.url}/webhooks/fusionauth`,
    connections,
    ...(durationS === undefined ? { amount: events.length } : { duration: durationS }),
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const i = next++;
          const { body, signature } = events[cycle ? i % events.length : Math.min(i, events.length - 1)];
          return {
            ...req,
            headers: { 'content-type': 'application/json', 'x-fusionauth-signature-jwt': signature },
            body,
          };
        },
        onResponse: (status, body) => {
          let label = String(status);
          if (status === 200) {
            try {
              label = `200 ${JSON.parse(body).status}`;
            } catch {
              label = '200 unreadable';
            }
          }
          statuses[label] = (statuses[label] ?? 0) + 1;
          if (label === '200 applied') applied++;
        },
      },
    ],
  });
  // Answered requests: those still in flight when the time was up are not counted either way.
  const posted = Object.values(statuses).reduce((sum, n) => sum + n, 0);
  return {
    applied,
    posted,
    seconds: result.duration,
    statuses,
    failures: result.errors + result.timeouts,
    exhausted: next > events.length,
  };
}

/**
 * Signing is the benchmark's work, not the service's, so it happens before the measurement. A
 * warm-up batch (also warming the service's webhook path) estimates the rate, and enough events are
 * signed for one and a half times that rate over the whole phase (at most cfg.webhookPool).
 */
async function webhookPreparePhase(ctx, cfg) {
  const { idp, a } = ctx.stack;
  const sign = await signer(webhookKey(idp));
  const deadline = Date.now() + 90_000;
  const warmup = await signEvents(idp, sign, cfg.smoke ? 300 : 1000, deadline);
  // The warm-up runs as long as a route's, the events sent again once used (the repeats are answered
  // as duplicates after the same signature check): the rate of answers sizes the pool.
  const w = await postEvents(a, warmup, cfg.connections, cfg.warmupS * 2, { cycle: true });
  const rate = w.posted / w.seconds;
  const wanted = Math.min(cfg.webhookPool, Math.ceil(rate * 1.5 * cfg.durationS) + 1000);
  log(
    `  warm-up: ${w.posted} events answered in ${round(w.seconds, 1)} s (${JSON.stringify(w.statuses)}), ` +
      `about ${round(rate, 0)} events/s`,
  );
  if (w.applied === 0) throw new Error(`not one warm-up webhook event was applied (${JSON.stringify(w.statuses)})`);
  const events = await signEvents(idp, sign, wanted, deadline);
  log(`  ${events.length} distinct revoke events signed for the measurement`);
  if (events.length < wanted) ctx.warnings.push(`only ${events.length} of ${wanted} webhook events signed in time`);
  return events;
}

async function webhookPhase(ctx, cfg, events) {
  const r = await postEvents(ctx.stack.a, events, cfg.connections, cfg.durationS);
  const stats = {
    events_per_s: round(r.applied / r.seconds, 1),
    applied: r.applied,
    posted: r.posted,
    seconds: round(r.seconds, 3),
    statuses: r.statuses,
    failures: r.failures,
    ended_by: r.exhausted ? 'pool exhausted' : 'time',
  };
  log(
    `  ${r.applied} events applied in ${stats.seconds} s: ${stats.events_per_s} events/s ` +
      `(${JSON.stringify(r.statuses)}, ${r.failures} failed requests, ended by ${stats.ended_by})`,
  );
  if (r.applied === 0) throw new Error(`not one webhook event was applied (${JSON.stringify(r.statuses)})`);
  if (r.applied !== r.posted) {
    ctx.warnings.push(
      `webhook phase: ${r.posted - r.applied} of ${r.posted} events not applied (${JSON.stringify(r.statuses)})`,
    );
    loud(ctx.warnings.at(-1));
  }
  return stats;
}

// ---------------------------------------------------------------------------------------------
// Phase 5: Redis memory per denylist entry, and the entries gone after their TTL
// ---------------------------------------------------------------------------------------------

const DENYLIST_DB = 1;

async function steadyMemory(usedMemory) {
  let last = await usedMemory();
  for (let i = 0; i < 20; i++) {
    await sleep(100);
    const now = await usedMemory();
    if (now === last) return now;
    last = now;
  }
  return last;
}

async function denylistPhase(ctx, cfg) {
  const { redis, idp } = ctx.stack;
  const { RedisDenylistStore } = require(join(DIST, 'denylist', 'redis-denylist.store.js'));
  const { subjectKey } = require(join(DIST, 'denylist', 'revocation.js'));
  // A database of its own: the keys of earlier phases do not change the size of its hash tables, so
  // the figure is the same from run to run.
  const client = redis.client.duplicate({ database: DENYLIST_DB });
  client.on('error', () => undefined);
  await client.connect();
  closers.push(async () => {
    if (client.isOpen) client.destroy();
  });
  // A prefix nothing else uses, as long as the service's default (`fag:`).
  const prefix = 'mem:';
  const store = new RedisDenylistStore({ client, key: (...parts) => `${prefix}${parts.join(':')}` });
  // The service's issuer key: the first 12 characters of base64url(SHA-256(issuer)) (src/config).
  const issuerKey = createHash('sha256').update(idp.issuer).digest('base64url').slice(0, 12);
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))[1]);
  const visible = async () => {
    let n = 0;
    // Every key under the prefix but the store's one version counter (a single key, not an entry).
    for await (const keys of client.scanIterator({ MATCH: `${prefix}{dl}:*`, COUNT: 5000 })) {
      n += keys.filter((key) => key !== store.versionKey).length;
    }
    return n;
  };
  await client.del(store.versionKey);
  if ((await visible()) !== 0) throw new Error(`keys under ${prefix}{dl}: exist before the phase`);

  // The store's one version counter is not an entry: it is left out of every count.
  const keysInDb = async () => (await client.dbSize()) - (await client.exists(store.versionKey));
  // The script is loaded and Redis's own structures settled before the baseline.
  await store.apply([], Date.now());
  const dbBefore = await keysInDb();
  const before = await usedMemory();
  const batch = 1000;
  const started = performance.now();
  let lastExpiry = 0;
  for (let done = 0; done < cfg.denylistEntries; done += batch) {
    const now = Date.now();
    const revocations = Array.from({ length: Math.min(batch, cfg.denylistEntries - done) }, () => ({
      subject: { kind: 'user', issuerKey, userId: randomUUID() },
      instant: now,
      ttlMs: cfg.denylistTtlMs,
    }));
    await store.apply(revocations, now);
    lastExpiry = now + cfg.denylistTtlMs;
  }
  const insertMs = performance.now() - started;
  // Redis grows a hash table incrementally, holding old and new tables until it is done: measure
  // once used_memory is steady.
  const after = await steadyMemory(usedMemory);
  const present = (await keysInDb()) - dbBefore;
  const bytesPerEntry = (after - before) / cfg.denylistEntries;
  const exampleKey = `${prefix}{dl}:${subjectKey({ kind: 'user', issuerKey, userId: randomUUID() })}`;
  log(
    `  ${cfg.denylistEntries} entries (keys like ${exampleKey}) in ${round(insertMs, 0)} ms: ` +
      `used_memory +${after - before} bytes = ${round(bytesPerEntry, 1)} bytes/entry`,
  );
  if (present !== cfg.denylistEntries) {
    ctx.warnings.push(
      `denylist phase: ${present} of ${cfg.denylistEntries} entries present when memory was measured ` +
        `(inserting took ${round(insertMs, 0)} ms against a ${cfg.denylistTtlMs} ms TTL)`,
    );
    loud(ctx.warnings.at(-1));
  }

  // Gone after their TTL: nothing visible under the prefix, and the keys reclaimed (DBSIZE back).
  await sleep(Math.max(0, lastExpiry - Date.now()));
  const waitStarted = Date.now();
  let expired = false;
  let left = -1;
  let leftInDb = -1;
  while (Date.now() - waitStarted < 15_000) {
    left = await visible();
    leftInDb = (await keysInDb()) - dbBefore;
    if (left === 0 && leftInDb <= 0) {
      expired = true;
      break;
    }
    await sleep(200);
  }
  const afterExpiry = await usedMemory();
  log(
    expired
      ? `  all entries gone ${Date.now() - waitStarted} ms after their TTL; used_memory back to ${afterExpiry - before >= 0 ? '+' : ''}${afterExpiry - before} bytes`
      : `  entries NOT gone 15 s after their TTL: ${left} visible, ${leftInDb} still in the keyspace`,
  );
  if (!expired) {
    ctx.warnings.push(`denylist entries not gone after their TTL (${left} visible, ${leftInDb} in the keyspace)`);
    loud(ctx.warnings.at(-1));
  }
  return {
    bytes_per_entry: round(bytesPerEntry, 1),
    entries: cfg.denylistEntries,
    present_when_measured: present,
    used_memory_before: before,
    used_memory_after: after,
    used_memory_after_expiry: afterExpiry,
    insert_ms: round(insertMs, 0),
    ttl_ms: cfg.denylistTtlMs,
    expired,
    gone_ms_after_ttl: expired ? Date.now() - waitStarted : null,
  };
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

function machine(redisVersion) {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu_model: cpus[0]?.model?.trim() ?? 'unknown',
    node: process.version,
    platform: process.platform,
    os_release: os.release(),
    arch: process.arch,
    total_memory_mb: Math.round(os.totalmem() / 1024 / 1024),
    load_average_at_start: os.loadavg().map((x) => round(x)),
    redis: redisVersion,
  };
}

async function main() {
  const cfg = parseArgs(process.argv.slice(2));
  if (cfg.help) {
    reported = true;
    log(USAGE);
    return 0;
  }
  const runStarted = performance.now();
  // The whole run is bounded too: a watchdog stops everything if the phases' own bounds were not enough.
  const overallMs = 15 * 60_000 + 8 * cfg.durationS * 1000 + cfg.revocations * 300;
  setTimeout(() => {
    loud(`the benchmark exceeded its overall time bound (${Math.round(overallMs / 60_000)} min): stopping everything`);
    void cleanup().finally(() => process.exit(1));
  }, overallMs).unref();
  const load = os.loadavg().map((x) => round(x));
  const phases = {};
  const ctx = { warnings: [], errors: [] };
  const results = {};
  const phase = async (name, boundMs, fn) => {
    log(`\n[${name}]`);
    const t = performance.now();
    try {
      return await within(fn(), boundMs, `phase ${name}`);
    } catch (error) {
      ctx.errors.push(`${name}: ${error.message}`);
      loud(`phase ${name} failed: ${error.message}`);
      // A phase that timed out may still be running: nothing after it can be trusted.
      if (error instanceof TimeoutError) throw error;
      return undefined;
    } finally {
      phases[`${name}_ms`] = Math.round(performance.now() - t);
    }
  };

  log(
    `fusionauth-guard benchmark (${cfg.smoke ? 'smoke' : 'full'}): ${cfg.durationS} s per route, ` +
      `${cfg.connections} connections, ${cfg.revocations} revocations, ${cfg.denylistEntries} denylist entries`,
  );
  log(`machine: ${os.cpus().length} cores, Node ${process.version}, ${process.platform} ${os.release()}, load ${load}`);

  let redisVersion = 'unknown';
  try {
    ctx.stack = await phase('setup', 60_000, async () => {
      const stack = await startStack();
      redisVersion = /redis_version:(\S+)/.exec(await stack.redis.client.info('server'))?.[1] ?? 'unknown';
      return stack;
    });
    if (!ctx.stack) throw new Error('the stack did not start');

    const prepared = await phase('prepare', 120_000, async () => {
      const fa = fusionAuthClient(ctx.stack.idp);
      ctx.token = await bearerToken(fa);
      ctx.cookie = await browserSession(ctx.stack.a);
      ctx.users = await freshUsers(fa, cfg.revocations);
      // The IdP's own webhooks for those registrations are delivered before anything is measured.
      await ctx.stack.idp.webhooks.settled();
      log(`  a bearer token, a browser session on A, ${ctx.users.length} fresh users with tokens`);
      return true;
    });
    if (!prepared) throw new Error('preparation failed');

    const routeBound = 3 * (cfg.warmupS + cfg.durationS) * 1000 + 60_000;
    results.routes = await phase('routes', routeBound, () => routesPhase(ctx, cfg));
    results.revocation = await phase('revocation', Math.max(90_000, cfg.revocations * 300 + 30_000), () =>
      revocationPhase(ctx, cfg),
    );
    const events = await phase('webhook_prepare', 150_000, () => webhookPreparePhase(ctx, cfg));
    if (events) {
      results.webhooks = await phase('webhooks', cfg.durationS * 1000 + 30_000, () => webhookPhase(ctx, cfg, events));
    }
    results.denylist = await phase('denylist', 120_000, () => denylistPhase(ctx, cfg));
  } catch (error) {
    if (!ctx.errors.some((e) => e.endsWith(error.message))) ctx.errors.push(error.message);
    loud(error.message);
  } finally {
    log('\n[teardown]');
    const t = performance.now();
    await cleanup();
    phases.teardown_ms = Math.round(performance.now() - t);
    log(`  stopped the services, the dev IdP and redis-server`);
  }
  phases.total_ms = Math.round(performance.now() - runStarted);

  const { routes, revocation, webhooks, denylist } = results;
  const ratio = (x, y) => (x && y ? round(x.rps / y.rps, 3) : null);
  const report = {
    guarded_over_unguarded: ratio(routes?.guarded, routes?.unguarded),
    session_page_over_unguarded: ratio(routes?.session_page, routes?.unguarded),
    revocation_p99_ms: revocation?.p99_ms ?? null,
    revocation_p50_ms: revocation?.p50_ms ?? null,
    webhook_events_per_s: webhooks?.events_per_s ?? null,
    denylist_bytes_per_entry: denylist?.bytes_per_entry ?? null,
    denylist_expired: denylist ? denylist.expired : null,
    unguarded_rps: routes?.unguarded.rps ?? null,
    unguarded_p99_ms: routes?.unguarded.p99_ms ?? null,
    guarded_rps: routes?.guarded.rps ?? null,
    guarded_p99_ms: routes?.guarded.p99_ms ?? null,
    session_page_rps: routes?.session_page.rps ?? null,
    session_page_p99_ms: routes?.session_page.p99_ms ?? null,
    revocation_timeouts: revocation?.timeouts ?? null,
    clean: ctx.errors.length === 0 && ctx.warnings.length === 0,
    mode: cfg.smoke ? 'smoke' : 'full',
    duration_s: cfg.durationS,
    connections: cfg.connections,
    machine: machine(redisVersion),
    phase_durations_ms: phases,
    routes: routes ?? null,
    revocation: revocation ?? null,
    webhooks: webhooks ?? null,
    denylist: denylist ?? null,
    warnings: ctx.warnings,
    errors: ctx.errors,
  };
  log('');
  if (ctx.errors.length > 0)
    loud(`THE RUN FAILED: ${ctx.errors.length} phase(s) could not run: ${ctx.errors.join(' | ')}`);
  if (ctx.warnings.length > 0) loud(`THE RUN HAD ERRORS (${ctx.warnings.length}): ${ctx.warnings.join(' | ')}`);
  if (ctx.errors.length === 0) {
    log(
      `guarded/unguarded ${report.guarded_over_unguarded}, session page/unguarded ${report.session_page_over_unguarded}, ` +
        `revocation p50 ${report.revocation_p50_ms} ms / p99 ${report.revocation_p99_ms} ms, ` +
        `${report.webhook_events_per_s} webhook events/s, ${report.denylist_bytes_per_entry} bytes per denylist entry ` +
        `(targets in bench/README.md)`,
    );
  }
  console.log(JSON.stringify(report));
  reported = true;
  return ctx.errors.length === 0 ? 0 : 1;
}

main()
  .catch(async (error) => {
    loud(error.stack ?? error.message);
    await cleanup();
    return 1;
  })
  .then((code) => {
    process.exitCode = code;
    // Anything left open (keep-alive sockets in a library) must not keep the process alive.
    setTimeout(() => process.exit(code), 500).unref();
  });
