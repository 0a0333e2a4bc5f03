import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSignerKey } from '../../src/audit/signed-note.js';
import { jsonl, killChildren, parseJson, runCli, workspace } from './run-cli.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) c();
});

const event = (i: number) => ({ eventType: 'dataset.read', userId: i % 3 === 1 ? 'xavier' : `user-${i}`, result: 'success', additionalData: { row: i } });

/** A log of 8 entries under one signed checkpoint (size 8). */
async function setup() {
  const w = workspace('export');
  cleanups.push(w.cleanup);
  const cli = (...args: string[]) => runCli([...args, '--db', w.db], { cwd: w.dir });
  const r = await cli('audit', 'import', w.file('events.jsonl', jsonl(Array.from({ length: 8 }, (_, i) => event(i)))));
  expect(r.code, r.stderr).toBe(0);
  return { w, cli, bundle: join(w.dir, 'bundle.jsonl') };
}

const bundleLines = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
const partials = (dir: string) => readdirSync(dir).filter((f) => f.includes('.partial-'));

function storedVerifierKey(db: string): string {
  const handle = new Database(db.slice('sqlite:'.length), { readonly: true });
  try {
    return (handle.prepare('SELECT verifier_key FROM audit_keys').get() as { verifier_key: string }).verifier_key;
  } finally {
    handle.close();
  }
}

/** How `audit verify` starts when `given` signs none of the checkpoints, which `logKey` signs: no entry is blamed. */
function wrongKey(given: string, logKey: string): RegExp {
  const nameAndId = (key: string) => key.split('+').slice(0, 2).join('\\+');
  return new RegExp(`^FAILED: no checkpoint is signed by the verifier key ${nameAndId(given)}: the checkpoints are signed by ${nameAndId(logKey)}\\. Check that the key is this log's.*\nentries: 0 `);
}

describe('langtrain audit export / verify --bundle', () => {
  it('exports the whole log; the bundle verifies; no .partial file is left', async () => {
    const { w, cli, bundle } = await setup();
    const r = await cli('audit', 'export', '--output', bundle);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`exported 8 entries to ${bundle}\n`);
    expect(partials(w.dir)).toEqual([]);
    expect(statSync(bundle).mode & 0o777).toBe(0o600);
    const lines = bundleLines(bundle);
    expect(lines[0]).toMatchObject({ type: 'header', format: 'langtrain-audit-bundle/1', complete: true, treeSize: 8 });
    expect(lines.filter((l) => l.type === 'entry').map((l) => l.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

    const v = await runCli(['audit', 'verify', '--bundle', bundle], { cwd: w.dir });
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^OK: the log verifies\nentries: 8 \(0 pruned\)\ncheckpoints verified: 1, up to tree size 8\n/);

    const json = await cli('audit', 'export', '--output', join(w.dir, 'again.jsonl'), '--json');
    expect(parseJson(json)).toEqual({ entries: 8, output: join(w.dir, 'again.jsonl'), complete: true });
    expect(partials(w.dir)).toEqual([]);
  });

  it('a bundle stripped of its checkpoints, or grown past them, fails under the pinned key', async () => {
    const { w, cli, bundle } = await setup();
    expect((await cli('audit', 'export', '--output', bundle)).code).toBe(0);
    const key = storedVerifierKey(w.db);
    const stripped = w.file('stripped.jsonl', jsonl(bundleLines(bundle).filter((l) => l.type !== 'checkpoint' && l.type !== 'consistency')));
    const v = await runCli(['audit', 'verify', '--bundle', stripped, '--verifier-key', key], { cwd: w.dir });
    expect(v.code, v.stdout + v.stderr).toBe(1);
    expect(v.stdout).toMatch(/^FAILED: no checkpoint in the bundle signed by the verifier key covers its entries \(0\.\.7\)/);
    const entry7 = bundleLines(bundle).find((l) => l.type === 'entry' && l.index === 7);
    const body = entry7.body.replace('"index":7', '"index":8');
    const { hashLeaf } = await import('../../src/audit/merkle.js');
    const grown = w.file('grown.jsonl', jsonl([...bundleLines(bundle), { ...entry7, index: 8, body, leafHash: hashLeaf(body).toString('hex') }]));
    const g = await runCli(['audit', 'verify', '--bundle', grown, '--verifier-key', key], { cwd: w.dir });
    expect(g.code, g.stdout + g.stderr).toBe(1);
    expect(g.stdout).toMatch(/^FAILED: entries 8\.\.8 are not covered by any signed checkpoint.*\nfirst bad entry: 8\n/);
  });

  it('--checkpoint: a bundle consistent with a kept checkpoint verifies; one cut short before it fails', async () => {
    const { w, cli, bundle } = await setup();
    expect((await cli('audit', 'export', '--output', bundle)).code).toBe(0);
    const key = storedVerifierKey(w.db);
    const kept = w.file('kept.json', JSON.stringify(bundleLines(bundle).filter((l) => l.type === 'checkpoint').at(-1)));
    const ok = await runCli(['audit', 'verify', '--bundle', bundle, '--verifier-key', key, '--checkpoint', kept], { cwd: w.dir });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/consistent with your checkpoint at tree size 8/);
    const [header, ...rest] = bundleLines(bundle);
    const cut = w.file('cut.jsonl', jsonl([{ ...header, treeSize: 6 }, ...rest.filter((l) => l.type === 'entry' && l.index < 6)]));
    const bad = await runCli(['audit', 'verify', '--bundle', cut, '--verifier-key', key, '--checkpoint', kept], { cwd: w.dir });
    expect(bad.code, bad.stdout + bad.stderr).toBe(1);
    expect(bad.stdout).toMatch(/^FAILED: the trusted checkpoint: entries 6\.\.7 are missing/);
    const noBundle = await cli('audit', 'verify', '--checkpoint', kept);
    expect(noBundle.code).toBe(2);
  });

  it('an edited entry body in the bundle fails verification naming the entry', async () => {
    const { w, cli, bundle } = await setup();
    expect((await cli('audit', 'export', '--output', bundle)).code).toBe(0);
    const lines = bundleLines(bundle).map((l) => (l.type === 'entry' && l.index === 5 ? { ...l, body: l.body.replace('"row":5', '"row":55') } : l));
    writeFileSync(bundle, jsonl(lines));
    const v = await runCli(['audit', 'verify', '--bundle', bundle], { cwd: w.dir });
    expect(v.code, v.stdout + v.stderr).toBe(1);
    expect(v.stdout).toMatch(/^FAILED: entry 5 was altered: its bytes do not match its leaf hash\nfirst bad entry: 5\n/);
    const json = await runCli(['audit', 'verify', '--bundle', bundle, '--json'], { cwd: w.dir });
    expect(json.code).toBe(1);
    expect(parseJson(json)).toMatchObject({ ok: false, problem: { index: 5 } });
  });

  it('a filtered export (--user) carries inclusion proofs and verifies', async () => {
    const { w, cli, bundle } = await setup();
    const r = await cli('audit', 'export', '--output', bundle, '--user', 'xavier', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson(r)).toMatchObject({ entries: 3, complete: false });
    const lines = bundleLines(bundle);
    expect(lines[0]).toMatchObject({ type: 'header', complete: false, treeSize: 8 });
    const entries = lines.filter((l) => l.type === 'entry');
    expect(entries.map((l) => l.index)).toEqual([1, 4, 7]);
    for (const e of entries) expect(e.proof.length).toBeGreaterThan(0);

    const v = await runCli(['audit', 'verify', '--bundle', bundle], { cwd: w.dir });
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^OK: every entry in the bundle verifies\nFILTERED bundle: 3 of 8 entries; entries left out are not detectable.*\nentries: 3 /);
    const vj = await runCli(['audit', 'verify', '--bundle', bundle, '--json'], { cwd: w.dir });
    expect(parseJson(vj)).toMatchObject({ ok: true, bundle: { complete: false, treeSize: 8, notice: expect.stringMatching(/^FILTERED bundle: 3 of 8 entries/) } });

    // A proof that leads elsewhere is caught too.
    const moved = lines.map((l) => (l.type === 'entry' && l.index === 4 ? { ...l, proof: entries[0].proof } : l));
    writeFileSync(bundle, jsonl(moved));
    const bad = await runCli(['audit', 'verify', '--bundle', bundle], { cwd: w.dir });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/first bad entry: 4/);
  });

  it('--verifier-key: the log\'s own key verifies; a different key fails (exit 1)', async () => {
    const { w, cli, bundle } = await setup();
    expect((await cli('audit', 'export', '--output', bundle)).code).toBe(0);
    const pinned = await runCli(['audit', 'verify', '--bundle', bundle, '--verifier-key', storedVerifierKey(w.db)], { cwd: w.dir });
    expect(pinned.code, pinned.stdout + pinned.stderr).toBe(0);
    expect(pinned.stdout).not.toMatch(/pin the log's public key/);

    const other = generateSignerKey('langtrain.local/audit').verifierKey;
    const v = await runCli(['audit', 'verify', '--bundle', bundle, '--verifier-key', other], { cwd: w.dir });
    expect(v.code, v.stdout + v.stderr).toBe(1);
    // A wrong key is named as such, with both keys; no entry is blamed.
    expect(v.stdout).toMatch(wrongKey(other, storedVerifierKey(w.db)));
    expect(v.stdout).not.toMatch(/first bad entry/);
    // The store verifies against a pinned key the same way.
    const store = await cli('audit', 'verify', '--verifier-key', other);
    expect(store.code).toBe(1);
    expect(store.stdout).toMatch(wrongKey(other, storedVerifierKey(w.db)));
  });

  // Several checkpoints: the bundle's consistency proofs are checked first, under the pinned key too.
  it('--verifier-key with a different key on a bundle with several checkpoints is a failed check (exit 1)', async () => {
    const { w, cli, bundle } = await setup();
    expect((await cli('audit', 'log', '--type', 'dataset.read', '--result', 'success')).code).toBe(0); // checkpoint 9
    expect((await cli('audit', 'export', '--output', bundle)).code).toBe(0);
    const other = generateSignerKey('langtrain.local/audit').verifierKey;
    const v = await runCli(['audit', 'verify', '--bundle', bundle, '--verifier-key', other], { cwd: w.dir });
    expect(v.code, v.stdout + v.stderr).toBe(1);
    expect(v.stdout).toMatch(wrongKey(other, storedVerifierKey(w.db)));
    expect(v.stdout).not.toMatch(/checkpoint \d+ or \d+|first bad entry/);
    const json = parseJson<{ ok: boolean; problem: object }>(await runCli(['audit', 'verify', '--bundle', bundle, '--verifier-key', other, '--json'], { cwd: w.dir }));
    expect(json).toMatchObject({ ok: false, problem: { reason: expect.stringMatching(/^no checkpoint is signed by the verifier key /) } });
    expect(json.problem).not.toHaveProperty('index');
  });

  it('refuses an --output that cannot be written (exit 2) and leaves no .partial file', async () => {
    const { w, cli } = await setup();
    const missing = await cli('audit', 'export', '--output', join(w.dir, 'no-such-folder', 'b.jsonl'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--output: folder .*no-such-folder does not exist/);
    mkdirSync(join(w.dir, 'a-folder'));
    const folder = await cli('audit', 'export', '--output', join(w.dir, 'a-folder'));
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/is not a regular file/);
    expect(partials(w.dir)).toEqual([]);
    expect(readdirSync(join(w.dir, 'a-folder'))).toEqual([]);
  });

  it('verify --bundle on a missing or malformed file is exit 2', async () => {
    const { w } = await setup();
    const missing = await runCli(['audit', 'verify', '--bundle', 'nope.jsonl'], { cwd: w.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/bundle nope\.jsonl does not exist/);
    const junk = await runCli(['audit', 'verify', '--bundle', w.file('junk.jsonl', '{"type":"header","format":"langtrain-audit-bundle/1","verifierKeys":[],"complete":true,"treeSize":0}\nnot json\n'), '--verifier-key', generateSignerKey('x').verifierKey], { cwd: w.dir });
    expect(junk.code).toBe(2);
    expect(junk.stderr).toMatch(/line 2: not JSON/);
  });
});
