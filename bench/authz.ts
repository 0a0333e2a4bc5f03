/**
 * Authorization decisions on the fixture of bench/fixtures/authz-fixture.ts: our engine in
 * process, beside casbin (RBAC `g` plus an ABAC matcher) and cedar-wasm (a permit per role, a
 * forbid-unless per allow condition) deciding the same requests in the same run, with a check
 * that all three agree on every request. Then the real `POST /v1/authorize` (buildServer, a
 * signed-in caller) beside a bare Fastify route, over real HTTP on 127.0.0.1: the servers run in
 * a child process (this file, forked with `--serve`) so they have a core of their own and the
 * load client does not share their event loop.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { newEnforcer, newModelFromString, StringAdapter } from 'casbin';
import Fastify from 'fastify';
import { Authorizer, type AuthorizationRequest, type Decision } from '../dist/access/index.js';
import { authorizationRequest, authzFixture, type AuthzFixture, type FixtureRequest } from './fixtures/authz-fixture.js';

// Node 20's V8 (11.3) dies with "Fatal error ... unreachable code" in
// Deoptimizer::DoComputeBuiltinContinuation when TurboFan has inlined a JS-to-Wasm call (cedar-wasm's)
// and that code deoptimizes; it did in most runs of this bench. Off before anything is optimized.
setFlagsFromString('--no-turbo-inline-js-wasm-calls');

const perSec = (count: number, ms: number) => Math.round((count / ms) * 1000);


/** The fixture in our engine, built through its programmatic API (as a policy file's loader does). */
function ourEngine(fixture: AuthzFixture): (request: AuthorizationRequest) => Decision {
  const authorizer = new Authorizer();
  for (const { name, ...spec } of fixture.roles) authorizer.roles.createRole(name, spec);
  for (const b of fixture.bindings) authorizer.roles.bind(b.principal, b.role);
  for (const p of fixture.policies) authorizer.policies.addPolicy(p);
  return (request) => authorizer.decide(request);
}


/** The fixture's CEL conditions as casbin matcher terms (hand-translated; `in` is casbin's array membership). */
const CASBIN_CONDITIONS: Record<string, string> = {
  sensitive_data_access: 'r.sub.clearance_level >= r.obj.classification_level',
  geographic_restriction: 'r.sub.location in r.obj.allowed_regions',
};

async function casbinDecider(fixture: AuthzFixture) {
  const conditions = fixture.policies.map((p) => {
    const term = CASBIN_CONDITIONS[p.name];
    if (!term || p.effect !== 'allow' || p.actions || p.resources?.join() !== 'dataset') throw new Error(`bench: no casbin translation for policy ${p.name}`);
    return term;
  });
  const model = newModelFromString(`
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub.id, p.sub) && (p.act == "*" || p.act == r.act) && (r.obj.type != "dataset" || (${conditions.join(' && ')}))
`);
  const lines = [
    ...fixture.roles.flatMap((role) => role.permissions.map((permission) => `p, ${role.name}, ${permission}`)),
    ...fixture.bindings.map((b) => `g, ${b.principal}, ${b.role}`),
  ];
  const enforcer = await newEnforcer(model, new StringAdapter(lines.join('\n')));
  const toInput = (r: FixtureRequest) => ({
    sub: { id: r.user.id, clearance_level: r.user.clearanceLevel, location: r.user.location },
    obj: { type: 'dataset', id: r.dataset.id, classification_level: r.dataset.classificationLevel, allowed_regions: r.dataset.allowedRegions },
    act: r.action,
  });
  return { toInput, decide: (i: ReturnType<typeof toInput>) => enforcer.enforceSync(i.sub, i.obj, i.act) };
}


/** The fixture's CEL conditions in Cedar (hand-translated). */
const CEDAR_CONDITIONS: Record<string, string> = {
  sensitive_data_access: 'principal.clearance_level >= resource.classification_level',
  geographic_restriction: 'resource.allowed_regions.contains(principal.location)',
};

/**
 * Our semantics in Cedar's: a role's grant is a permit; an allow policy must hold, so it is a
 * forbid-unless (Cedar's forbid overrides every permit, as a false allow condition does ours).
 */
function cedarPolicies(fixture: AuthzFixture): string {
  const permits = fixture.roles.map((role) => {
    const action = role.permissions.includes('*') ? 'action' : `action in [${role.permissions.map((p) => `Action::"${p}"`).join(', ')}]`;
    return `permit (principal in Role::"${role.name}", ${action}, resource);`;
  });
  const forbids = fixture.policies.map((p) => {
    const condition = CEDAR_CONDITIONS[p.name];
    if (!condition || p.effect !== 'allow' || p.actions || p.resources?.join() !== 'dataset') throw new Error(`bench: no Cedar translation for policy ${p.name}`);
    return `@id("${p.name}")\nforbid (principal, action, resource is Dataset) unless { ${condition} };`;
  });
  return [...permits, ...forbids].join('\n');
}

function cedarDeciders(fixture: AuthzFixture) {
  const policies = cedarPolicies(fixture);
  const POLICY_SET = 'authz-bench';
  const preparsed = cedar.preparsePolicySet(POLICY_SET, { staticPolicies: policies });
  if (preparsed.type !== 'success') throw new Error(`bench: Cedar refused the policies: ${preparsed.errors.map((e) => e.message).join('; ')}`);
  const users = new Map(fixture.users.map((u) => [u.id, { uid: { type: 'User', id: u.id }, attrs: { clearance_level: u.clearanceLevel, location: u.location }, parents: [{ type: 'Role', id: u.role }] }]));
  const datasets = new Map(fixture.datasets.map((d) => [d.id, { uid: { type: 'Dataset', id: d.id }, attrs: { classification_level: d.classificationLevel, allowed_regions: d.allowedRegions }, parents: [] }]));
  const toInput = (r: FixtureRequest) => ({
    principal: { type: 'User', id: r.user.id },
    action: { type: 'Action', id: r.action },
    resource: { type: 'Dataset', id: r.dataset.id },
    context: {},
    entities: [users.get(r.user.id)!, datasets.get(r.dataset.id)!],
  });
  const allowed = (answer: cedar.AuthorizationAnswer) => {
    if (answer.type !== 'success') throw new Error(`bench: Cedar failed: ${answer.errors.map((e) => e.message).join('; ')}`);
    if (answer.response.diagnostics.errors.length > 0) throw new Error(`bench: Cedar policy error: ${answer.response.diagnostics.errors[0]!.error.message}`);
    return answer.response.decision === 'allow';
  };
  type Input = ReturnType<typeof toInput>;
  return {
    toInput,
    /** Policies preparsed once and cached inside the wasm module: Cedar's fast path. */
    preparsed: (i: Input) => allowed(cedar.statefulIsAuthorized({ ...i, preparsedPolicySetId: POLICY_SET })),
    /** `isAuthorized`, which parses the policy text on every call. */
    reparsing: (i: Input) => allowed(cedar.isAuthorized({ ...i, policies: { staticPolicies: policies } })),
  };
}


/** Decisions per second over whole passes of `inputs`, for at least `ms` after `warmMs` of the same. */
function throughput<T>(inputs: readonly T[], decide: (input: T) => boolean, warmMs: number, ms: number): number {
  const passes = (minMs: number) => {
    let count = 0;
    let allowed = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      for (const input of inputs) if (decide(input)) allowed += 1;
      count += inputs.length;
      elapsed = performance.now() - start;
    } while (elapsed < minMs);
    if (allowed === 0) throw new Error('bench: nothing was allowed'); // keeps the decisions observable
    return perSec(count, elapsed);
  };
  passes(warmMs);
  return passes(ms);
}

interface Disagreement {
  request: { user: string; role: string; clearance_level: number; location: string; dataset: string; classification_level: number; allowed_regions: string[]; action: string };
  ours: Decision;
  theirs: boolean;
}

function agreement<T>(fixture: AuthzFixture, ours: readonly Decision[], inputs: readonly T[], decide: (input: T) => boolean) {
  const disagreements: Disagreement[] = [];
  inputs.forEach((input, i) => {
    const theirs = decide(input);
    if (theirs === ours[i]!.allowed) return;
    const r = fixture.requests[i]!;
    disagreements.push({
      request: { user: r.user.id, role: r.user.role, clearance_level: r.user.clearanceLevel, location: r.user.location, dataset: r.dataset.id, classification_level: r.dataset.classificationLevel, allowed_regions: r.dataset.allowedRegions, action: r.action },
      ours: ours[i]!,
      theirs,
    });
  });
  return { agreed: `${inputs.length - disagreements.length}/${inputs.length}`, disagreements };
}


const CONNECTIONS = 16;
const HTTP_WARM_MS = 500;
const HTTP_MS = 3000;
const HTTP_ROUNDS = 3;

/**
 * The child: the real server (`buildServer` over a SQLite store holding the fixture's roles,
 * bindings and policies) answering `POST /v1/authorize` for a signed-in caller, and a bare
 * Fastify app with one route returning a constant, each on its own port.
 */
async function serve(): Promise<void> {
  // Loaded here, in the child only: the whole server in the parent's heap would slow its in-process figures.
  const { SecurityManager } = await import('../dist/security-manager.js');
  const { buildServer } = await import('../dist/server/app.js');
  const fixture = authzFixture();
  const dir = mkdtempSync(join(tmpdir(), 'langtrain-bench-authz-'));
  const security = await SecurityManager.open({
    config: {
      store: { url: `sqlite:${join(dir, 'bench.db')}` },
      audit: { encryptionKey: `file:${join(dir, 'audit.key')}`, level: 'basic' },
      crypto: { kek: `file:${join(dir, 'kek.key')}` },
      server: { logLevel: 'silent', rateLimit: '1000000000/minute' },
      auth: { concurrentSessions: null },
      access: { decisionLog: 'none' },
    },
    env: {},
  });
  const access = await security.accessControl();
  await access.store.replaceAll({ roles: fixture.roles, bindings: fixture.bindings, policies: fixture.policies }, null);
  const auth = await security.authenticationManager();
  await auth.users.createUser({ username: 'bench-pep', password: 'bench policy enforcement point', roles: ['admin'] });
  const signedIn = await auth.login({ username: 'bench-pep', password: 'bench policy enforcement point' });
  if (signedIn.status !== 'authenticated') throw new Error('bench: the bench caller could not sign in');
  const app = await buildServer(security, { logStream: { write: () => undefined } });
  const bare = Fastify({ logger: false });
  bare.post('/baseline', async () => ({ ok: true }));
  const [address, bareAddress] = [await app.listen({ host: '127.0.0.1', port: 0 }), await bare.listen({ host: '127.0.0.1', port: 0 })];
  process.send!({ port: new URL(address).port, barePort: new URL(bareAddress).port, token: signedIn.token });
  process.on('message', () =>
    void Promise.all([app.close(), bare.close()])
      .then(() => security.close())
      .then(() => rmSync(dir, { recursive: true, force: true }))
      .then(() => process.exit(0)),
  );
}

/**
 * Requests per second with CONNECTIONS keep-alive connections, one request in flight on each (no
 * pipelining): a raw-socket client, so the client's own cost stays small beside the server's.
 * Every response must be 200; on `/authorize` its `allowed` must be the in-process decision's.
 */
function load(port: number, path: string, bodies: readonly string[], expected: readonly boolean[], token?: string): Promise<number> {
  const authorization = token ? `Authorization: Bearer ${token}\r\n` : '';
  const requests = bodies.map((body) => Buffer.from(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${authorization}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`));
  const checkAllowed = path === '/v1/authorize';
  let counted = 0;
  let phase: 'warm' | 'count' | 'stop' = 'warm';
  let start = 0;
  let elapsed = 0;
  let next = 0;
  return new Promise((resolve, reject) => {
    let open = CONNECTIONS;
    const finish = () => {
      open -= 1;
      if (open === 0) resolve(perSec(counted, elapsed));
    };
    setTimeout(() => {
      phase = 'count';
      start = performance.now();
      setTimeout(() => {
        phase = 'stop';
        elapsed = performance.now() - start;
      }, HTTP_MS);
    }, HTTP_WARM_MS);
    for (let c = 0; c < CONNECTIONS; c += 1) {
      const socket = connect({ host: '127.0.0.1', port, noDelay: true });
      let pending = Buffer.alloc(0);
      let current = 0;
      const send = () => {
        if (phase === 'stop') return socket.end();
        current = next++ % requests.length;
        socket.write(requests[current]!);
      };
      socket.on('connect', send);
      socket.on('data', (chunk) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        const headerEnd = pending.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const head = pending.toString('latin1', 0, headerEnd);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
        if (pending.length < headerEnd + 4 + length) return;
        const body = pending.toString('utf8', headerEnd + 4, headerEnd + 4 + length);
        pending = pending.subarray(headerEnd + 4 + length);
        if (!head.startsWith('HTTP/1.1 200')) return reject(new Error(`bench: ${path} answered ${head.split('\r\n')[0]}: ${body.slice(0, 200)}`));
        if (checkAllowed && body.includes('"allowed":true') !== expected[current]) return reject(new Error(`bench: ${path} decided request ${current} unlike the engine in process`));
        if (phase === 'count') counted += 1;
        send();
      });
      socket.on('error', reject);
      socket.on('close', finish);
    }
  });
}

async function httpFigures(fixture: AuthzFixture, ours: readonly Decision[]) {
  const server = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const { port, barePort, token } = await new Promise<{ port: number; barePort: number; token: string }>((resolve, reject) => {
      server.once('message', (m) => {
        const ports = m as { port: string; barePort: string; token: string };
        resolve({ port: Number(ports.port), barePort: Number(ports.barePort), token: ports.token });
      });
      server.once('exit', (code) => reject(new Error(`bench: the HTTP server exited with ${code}`)));
    });
    const bodies = fixture.requests.map((r) => JSON.stringify(authorizationRequest(r)));
    const expected = ours.map((d) => d.allowed);
    const baseline: number[] = [];
    const authorize: number[] = [];
    for (let round = 0; round < HTTP_ROUNDS; round += 1) {
      baseline.push(await load(barePort, '/baseline', bodies, expected));
      authorize.push(await load(port, '/v1/authorize', bodies, expected, token));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const httpAuthorizePerSec = median(authorize);
    const httpBaselinePerSec = median(baseline);
    return {
      httpAuthorizePerSec,
      httpBaselinePerSec,
      httpAuthorizeToBaseline: Number((httpAuthorizePerSec / httpBaselinePerSec).toFixed(3)),
      httpRoute: 'the real POST /v1/authorize of buildServer (security headers, rate limit, session authentication from SQLite, authz.check permission, zod body schema; access.decisionLog none); baseline: a bare Fastify app whose POST /baseline returns a constant; same request bodies',
      httpMethod: `real HTTP/1.1 over 127.0.0.1, server in a child process, ${CONNECTIONS} keep-alive connections with one request in flight each; median of ${HTTP_ROUNDS} alternating rounds of ${HTTP_MS / 1000} s after ${HTTP_WARM_MS} ms warm-up`,
    };
  } finally {
    if (server.connected) server.send('close');
  }
}


async function main(): Promise<void> {
  const fixture = authzFixture();
  const decide = ourEngine(fixture);
  const requests = fixture.requests.map(authorizationRequest);
  const ours = requests.map(decide);

  const casbin = await casbinDecider(fixture);
  const casbinInputs = fixture.requests.map(casbin.toInput);
  const cedarWasm = cedarDeciders(fixture);
  const cedarInputs = fixture.requests.map(cedarWasm.toInput);

  const checks = {
    casbin: agreement(fixture, ours, casbinInputs, casbin.decide),
    cedar: agreement(fixture, ours, cedarInputs, cedarWasm.preparsed),
    cedarReparsing: agreement(fixture, ours, cedarInputs, cedarWasm.reparsing),
  };

  const result = {
    area: 'authz',
    fixture: {
      users: fixture.users.length,
      datasets: fixture.datasets.length,
      requests: requests.length,
      allowed: ours.filter((d) => d.allowed).length,
      roles: fixture.roles.map((r) => r.name),
      policies: fixture.policies.map((p) => p.name),
    },
    decisionsPerSec: throughput(requests, (r) => decide(r).allowed, 500, 2000),
    casbinDecisionsPerSec: throughput(casbinInputs, casbin.decide, 300, 2000),
    cedarWasmDecisionsPerSec: throughput(cedarInputs, cedarWasm.preparsed, 300, 2000),
    cedarWasmReparsingDecisionsPerSec: throughput(cedarInputs, cedarWasm.reparsing, 300, 2000),
    cedarWasm: 'decisionsPerSec: statefulIsAuthorized with the policy set preparsed once; reparsing: isAuthorized, which parses the policy text on every call; entities (user with its role as parent, data set) passed on each call',
    agreement: Object.fromEntries(Object.entries(checks).map(([engine, c]) => [engine, c.agreed])),
    ...(await httpFigures(fixture, ours)),
    targets: { decisionsPerSec: 2_000_000, httpAuthorizeToBaseline: 0.6 },
  };
  process.stdout.write(JSON.stringify(result) + '\n');

  const disagreeing = Object.entries(checks).filter(([, c]) => c.disagreements.length > 0);
  for (const [engine, c] of disagreeing) {
    process.stderr.write(`bench: ${engine} disagrees with our engine on ${c.disagreements.length} request(s); first ones:\n`);
    for (const d of c.disagreements.slice(0, 5)) process.stderr.write(`  ${JSON.stringify(d)}\n`);
  }
  if (disagreeing.length > 0) process.exitCode = 1;
}

if (process.argv.includes('--serve')) await serve();
else await main();
