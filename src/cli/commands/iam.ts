import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { loadPolicyFile, type AuthorizationRequest, type Authorizer } from '../../access/index.js';
import { invalidInput } from '../../core/errors.js';
import { startProgress } from '../progress.js';
import { CheckFailed, output, type Run } from '../context.js';

/** One request line of `iam check` (and a test's `request`): the HTTP body's shape. */
const requestSchema = z.strictObject({
  principal: z.strictObject({ id: z.string().min(1), roles: z.array(z.string()).optional(), groups: z.array(z.string()).optional(), attributes: z.record(z.string(), z.any()).optional() }),
  action: z.string().min(1),
  resource: z.strictObject({ type: z.string().min(1), id: z.string().min(1), attributes: z.record(z.string(), z.any()).optional() }),
  context: z.record(z.string(), z.any()).optional(),
});

/** A policy test suite, as Cerbos and OPA keep them beside the policies. */
const suiteSchema = z.strictObject({
  /** The policy file, relative to the suite. */
  policy: z.string().min(1),
  tests: z
    .array(z.strictObject({ name: z.string().min(1), request: requestSchema, expect: z.enum(['allow', 'deny']), description: z.string().optional() }))
    .min(1, 'a suite needs at least one test'),
});

/** `langtrain iam`: check requests against a policy file, and run policy test suites. Offline: no store. */
export function iamCommand(run: Run): Command {
  const iam = new Command('iam').description('access control: decide requests against a policy file, run policy tests');

  iam
    .command('check')
    .description('decide each request of a JSON Lines file; one decision per line: {"allowed":…,"reasons":[…]}')
    .requiredOption('--policy <file>', 'policy file (YAML or JSON: roles, bindings, policies)')
    .requiredOption('--input <file>', 'requests, one JSON object per line ("-" for standard input)')
    .option('--output <file>', 'write decisions here instead of standard output')
    .option('--explain', 'evaluate every applicable policy and add the explanation text')
    .option('--quiet', 'no progress on standard error')
    .action((o: { policy: string; input: string; output?: string; explain?: boolean; quiet?: boolean }) =>
      run(async () => {
        const authorizer = await loadPolicyFile(o.policy);
        const out = o.output ? createWriteStream(o.output) : process.stdout;
        const progress = startProgress('requests decided', undefined, Boolean(o.quiet) || !o.output);
        const lines = createInterface({ input: o.input === '-' ? process.stdin : createReadStream(o.input), crlfDelay: Infinity });
        let lineNo = 0;
        let decided = 0;
        for await (const line of lines) {
          lineNo += 1;
          if (line.trim() === '') continue;
          const request = parseRequest(line, `${o.input}:${lineNo}`);
          const decision = o.explain ? authorizer.explain(request) : authorizer.decide(request);
          out.write(JSON.stringify(decision) + '\n');
          progress.update((decided += 1));
        }
        progress.finish();
        if (out !== process.stdout) {
          (out as ReturnType<typeof createWriteStream>).end();
          await finished(out as ReturnType<typeof createWriteStream>);
        }
      }),
    );

  iam
    .command('test')
    .description('run a policy test suite (YAML: policy, tests[{name, request, expect: allow|deny}]); exit 1 when a test fails')
    .argument('<suite>')
    .option('--json', 'print machine-readable JSON')
    .action((suitePath: string, o: { json?: boolean }) =>
      run(async () => {
        const suite = readSuite(suitePath);
        const authorizer: Authorizer = await loadPolicyFile(resolve(dirname(suitePath), suite.policy));
        const results = suite.tests.map((t) => {
          const decision = authorizer.explain(t.request as AuthorizationRequest);
          const got = decision.allowed ? 'allow' : 'deny';
          return { name: t.name, expect: t.expect, got, passed: got === t.expect, explanation: decision.text };
        });
        const failed = results.filter((r) => !r.passed);
        output(o, { passed: results.length - failed.length, failed: failed.length, results: results.map(({ explanation: _, ...r }) => r) }, () =>
          [
            ...failed.map((r) => `FAIL ${r.name}: expected ${r.expect}, got ${r.got}\n${r.explanation.replace(/^/gm, '    ')}`),
            `${results.length - failed.length} passed, ${failed.length} failed (${suitePath})`,
          ].join('\n'),
        );
        if (failed.length > 0) throw new CheckFailed();
      }, o.json),
    );

  return iam;
}

function parseRequest(line: string, where: string): AuthorizationRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw invalidInput(`${where}: not JSON (${(err as Error).message}); each line must be one request object`);
  }
  const parsed = requestSchema.safeParse(value);
  if (!parsed.success) throw invalidInput(`${where}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ')}`);
  return parsed.data as AuthorizationRequest;
}

function readSuite(path: string): z.infer<typeof suiteSchema> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw invalidInput(`test suite ${path} cannot be read; check the path`);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw invalidInput(`${path}: not valid YAML: ${(err as Error).message}`);
  }
  const parsed = suiteSchema.safeParse(value);
  if (!parsed.success) throw invalidInput(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
