import { afterEach, describe, expect, it } from 'vitest';
import { storeUrls } from '../support/services.js';
import { jsonl, killChildren, parseJson, runCli, workspace } from './run-cli.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) await c();
});

function ws(label: string) {
  const w = workspace(label);
  cleanups.push(w.cleanup);
  return w;
}

describe('langtrain audit log', () => {
  it('appends an event and prints its index; --json prints the receipt', async () => {
    const w = ws('log');
    const first = await runCli(['audit', 'log', '--db', w.db, '--type', 'user_authentication', '--result', 'success', '--user', 'alice', '--data', '{"ip_address":"10.0.1.100"}'], { cwd: w.dir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^appended entry 0 \([0-9a-f-]{36}\)\n$/);

    const second = await runCli(['audit', 'log', '--db', w.db, '--type', 'data_access', '--result', 'denied', '--json'], { cwd: w.dir });
    expect(second.code, second.stderr).toBe(0);
    const receipt = parseJson(second);
    expect(receipt).toEqual({ index: 1, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const entries = parseJson(await runCli(['audit', 'query', '--db', w.db, '--json'], { cwd: w.dir }));
    expect(entries.map((e: any) => [e.index, e.eventType, e.userId, e.result])).toEqual([
      [0, 'user_authentication', 'alice', 'success'],
      [1, 'data_access', null, 'denied'],
    ]);
    expect(entries[0].additionalData).toEqual({ ip_address: '10.0.1.100' });
    expect(entries[1].id).toBe(receipt.id);
  });

  it.each([
    ['not JSON', '{ip:1}'],
    ['an array', '[1,2]'],
    ['a string', '"x"'],
  ])('refuses --data that is %s with exit 2, naming --data', async (_what, data) => {
    const w = ws('log-bad-data');
    const r = await runCli(['audit', 'log', '--db', w.db, '--type', 'user_authentication', '--result', 'success', '--data', data], { cwd: w.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--data must be a JSON object/);
    expect(r.stdout).toBe('');
  });

  it('refuses a bad event type with exit 2, naming eventType; nothing is appended', async () => {
    const w = ws('log-bad-type');
    const r = await runCli(['audit', 'log', '--db', w.db, '--type', 'User Login!', '--result', 'success'], { cwd: w.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/eventType: must be a lower-case name/);
    const json = await runCli(['audit', 'log', '--db', w.db, '--type', 'ok_type', '--result', 'Not OK', '--json'], { cwd: w.dir });
    expect(json.code).toBe(2);
    expect(parseJson(json).error).toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringMatching(/result: must be a lower-case word/) });
    expect(parseJson(await runCli(['audit', 'query', '--db', w.db, '--json'], { cwd: w.dir }))).toEqual([]);
  });
});

const events = Array.from({ length: 5 }, (_, i) => ({
  eventType: i % 2 === 0 ? 'user_authentication' : 'data_access',
  userId: `user-${i}`,
  timestamp: `2024-01-15T10:3${i}:00Z`,
  result: 'success',
  additionalData: { n: i, ip_address: `10.0.1.${i}`, nested: { ok: true, list: [i, 'x'] } },
}));

describe.each(storeUrls('cli-import'))('langtrain audit import on $dialect', ({ make }) => {
  async function setup() {
    const w = ws('import');
    const store = make();
    cleanups.push(store.cleanup);
    const size = async () => parseJson(await runCli(['audit', 'query', '--db', store.url, '--json', '--limit', '10000'], { cwd: w.dir })).length as number;
    return { w, url: store.url, size };
  }

  it('imports every event; query shows them with their additionalData', async () => {
    const { w, url } = await setup();
    const file = w.file('events.jsonl', jsonl(events));
    const r = await runCli(['audit', 'import', file, '--db', url], { cwd: w.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('imported 5 events from entry 0\n');

    const again = await runCli(['audit', 'import', file, '--db', url, '--json'], { cwd: w.dir });
    expect(again.code, again.stderr).toBe(0);
    expect(parseJson(again)).toEqual({ imported: 5, firstIndex: 5 });

    const entries = parseJson(await runCli(['audit', 'query', '--db', url, '--json'], { cwd: w.dir }));
    expect(entries).toHaveLength(10);
    entries.forEach((e: any, i: number) => {
      const source = events[i % 5]!;
      expect(e).toMatchObject({
        index: i,
        eventType: source.eventType,
        userId: source.userId,
        result: 'success',
        timestamp: new Date(source.timestamp).toISOString(),
        additionalData: source.additionalData,
        payload: 'clear',
      });
    });
    const verify = await runCli(['audit', 'verify', '--db', url], { cwd: w.dir });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('a file with bad JSON on line 3 appends nothing and names :3', async () => {
    const { w, url, size } = await setup();
    await runCli(['audit', 'import', w.file('good.jsonl', jsonl(events)), '--db', url], { cwd: w.dir });
    const lines = jsonl(events).split('\n');
    lines[2] = '{"eventType": "user_authentication", "result": ';
    const r = await runCli(['audit', 'import', w.file('bad.jsonl', lines.join('\n')), '--db', url], { cwd: w.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.jsonl:3: not valid JSON; nothing was imported/);
    expect(r.stdout).toBe('');
    expect(await size()).toBe(5);
  });

  it('an event missing result on line 4 appends nothing and names :4 and the field', async () => {
    const { w, url, size } = await setup();
    await runCli(['audit', 'import', w.file('good.jsonl', jsonl(events)), '--db', url], { cwd: w.dir });
    const bad = events.map((e, i) => (i === 3 ? { ...e, result: undefined } : e));
    const r = await runCli(['audit', 'import', w.file('bad.jsonl', jsonl(bad)), '--db', url, '--json'], { cwd: w.dir });
    expect(r.code).toBe(2);
    const message: string = parseJson(r).error.message;
    expect(message).toMatch(/bad\.jsonl:4: /);
    expect(message).toMatch(/result/);
    expect(await size()).toBe(5);
  });

  it('an event this log would refuse (a sensitive user id on a clear log) late in a big file appends nothing', async () => {
    const { w, url, size } = await setup();
    const many = Array.from({ length: 4500 }, (_, i) => ({ eventType: 'data_access', result: 'success', userId: `u${i}`, ...(i === 4400 ? { sensitive: ['userId'] } : {}) }));
    const r = await runCli(['audit', 'import', w.file('late.jsonl', jsonl(many)), '--db', url], { cwd: w.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/late\.jsonl:4401: .*encryption: true/);
    expect(await size()).toBe(0);
  });

  it('a missing file is exit 2 naming it', async () => {
    const { w, url, size } = await setup();
    const r = await runCli(['audit', 'import', 'nope.jsonl', '--db', url], { cwd: w.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.jsonl does not exist/);
    expect(await size()).toBe(0);
  });
});
