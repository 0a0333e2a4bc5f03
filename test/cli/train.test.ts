import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedPath } from '../shared-path.js';
import { killChildren, parseJson, runCli, workspace } from './run-cli.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) c();
});

const TRAIN = sharedPath('data/prompt-injection-eval/deepset-prompt-injections-train.jsonl');
const TEST = sharedPath('data/prompt-injection-eval/deepset-prompt-injections-test.jsonl');

describe('langtrain train', { timeout: 240_000 }, () => {
  it('trains with DP-SGD within the budget, writes the model, report and lineage, and a second run finds the budget spent', async () => {
    const w = workspace('train');
    cleanups.push(w.cleanup);
    const config = w.file('langtrain.test.yaml', `crypto:\n  kek: file:${join(w.dir, 'kek.key')}\n`);
    const cli = (...args: string[]) => runCli([...args, '--db', w.db, '--config', config], { cwd: w.dir, timeoutMs: 120_000 });
    const model = join(w.dir, 'model.json');
    const first = await cli('train', '--data', TRAIN, '--test', TEST, '--epsilon', '8', '--sampling-rate', '0.1', '--epochs', '20', '--output', model, '--unit', 'dataset:prompts', '--json');
    expect(first.code, first.stderr).toBe(0);
    const report = parseJson(first);
    expect(report).toMatchObject({ stopReason: 'completed', stepsRun: 200, privacy: { unit: 'dataset:prompts', budgetScope: 'ledger', epsilonBudget: 8 } });
    expect(report.privacy.epsilonSpent).toBeLessThanOrEqual(8);
    expect(report.testAccuracy).toBeGreaterThan(0.6);
    expect(JSON.parse(readFileSync(`${model}.privacy.json`, 'utf8')).modelDigest).toBe(report.modelDigest);
    const lineage = await cli('lineage', 'show', report.modelDigest, '--json');
    expect(parseJson(lineage).edges).toEqual([expect.objectContaining({ operation: 'train' })]);

    const again = await cli('train', '--data', TRAIN, '--epsilon', '8', '--sampling-rate', '0.1', '--output', join(w.dir, 'again.json'), '--unit', 'dataset:prompts');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('dataset:prompts has spent epsilon');
    expect(existsSync(join(w.dir, 'again.json'))).toBe(false);
    const noBudget = await cli('train', '--data', TRAIN, '--output', join(w.dir, 'x.json'));
    expect(noBudget.code).toBe(2);
    expect(noBudget.stderr).toContain('give --epsilon');
    const plain = await cli('train', '--data', TRAIN, '--test', TEST, '--no-privacy', '--epochs', '5', '--output', join(w.dir, 'plain.json'));
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain('trained WITHOUT differential privacy');
    expect(JSON.parse(readFileSync(join(w.dir, 'plain.json.privacy.json'), 'utf8')).privacy).toBeUndefined();
  });

  it('refuses an --output in a directory that does not exist before spending any epsilon, so the corrected run gets the whole budget', async () => {
    const w = workspace('train-output');
    cleanups.push(w.cleanup);
    const config = w.file('langtrain.test.yaml', `crypto:\n  kek: file:${join(w.dir, 'kek.key')}\n`);
    const cli = (...args: string[]) => runCli([...args, '--db', w.db, '--config', config], { cwd: w.dir, timeoutMs: 120_000 });
    // epsilon 1 with sigma calibrated to the run: a failed run that had spent it would leave nothing.
    const run = (output: string) => cli('train', '--data', TRAIN, '--epsilon', '1', '--sampling-rate', '0.1', '--epochs', '1', '--output', output, '--unit', 'dataset:prompts', '--json');
    const typo = await run(join(w.dir, 'no-such-dir', 'model.json'));
    expect(typo.code).toBe(2);
    expect(parseJson(typo).error.message).toContain('no-such-dir does not exist');
    expect(parseJson(await cli('dp', 'budget', 'list', '--json'))).toEqual([]);
    const fixed = await run(join(w.dir, 'model.json'));
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(parseJson(fixed)).toMatchObject({ stopReason: 'completed', privacy: { unit: 'dataset:prompts', budgetScope: 'ledger' } });
  });
});
