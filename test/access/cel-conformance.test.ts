/**
 * The cel-spec conformance suite (as `@bufbuild/cel-spec` ships it pre-parsed; provenance of the
 * raw data in /work/shared/vectors/cel/PROVENANCE.md) run against `@marcbachmann/cel-js`, the
 * engine that evaluates policy conditions. Every test either passes or is listed, with its
 * reason, in cel-conformance-skips.ts; a listed test that passes fails the run.
 */
import type { SimpleTest } from '@bufbuild/cel-spec/cel/expr/conformance/test/simple_pb.js';
import type { ErrorSet } from '@bufbuild/cel-spec/cel/expr/eval_pb.js';
import { MapValueSchema, ValueSchema, type Value } from '@bufbuild/cel-spec/cel/expr/value_pb.js';
import { getConformanceSuite } from '@bufbuild/cel-spec/testdata/tests.js';
import { create } from '@bufbuild/protobuf';
import { anyPack, DurationSchema, TimestampSchema } from '@bufbuild/protobuf/wkt';
import { Environment } from '@marcbachmann/cel-js';
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';
import { assert, describe, expect, it } from 'vitest';
import { canonicalEngineType, engineTypeName, matchesValue, toEngineValue, UnsupportedCelValue } from '../support/cel-values.js';
import { CONFORMANCE_SKIPS } from './cel-conformance-skips.js';

/** The passing count today: a drop is a regression (or a skip added without need); raise it when the engine improves. */
const MIN_PASSED = 1031;

// As src/access/condition-compiler.ts builds it: the engine's defaults (declared variables only,
// homogeneous list/map literals, no optional types) with its structural limits. Keep the two in
// step. Cloned per test so declarations don't leak between tests.
const policyEnvironment = new Environment({
  limits: { maxAstNodes: 5_000, maxDepth: 100, maxListElements: 1_000, maxMapEntries: 1_000, maxCallArguments: 32 },
});

type Outcome =
  | { kind: 'value'; value: unknown; type: string | undefined }
  | { kind: 'error'; stage: 'parse' | 'check' | 'eval'; error: unknown };

type Verdict = { pass: true } | { pass: false; why: string };

const PASS: Verdict = { pass: true };
const fail = (why: string): Verdict => ({ pass: false, why });

function environmentFor(test: SimpleTest): Environment {
  const env = policyEnvironment.clone();
  for (const decl of test.typeEnv) {
    if (decl.declKind.case !== 'ident') throw new UnsupportedCelValue(`function declaration ${decl.name}`);
    env.registerVariable(decl.name, engineTypeName(decl.declKind.value.type));
  }
  for (const name of Object.keys(test.bindings)) if (!env.hasVariable(name)) env.registerVariable(name, 'dyn');
  return env;
}

function contextFor(test: SimpleTest): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const [name, bound] of Object.entries(test.bindings)) {
    if (bound.kind.case !== 'value') throw new UnsupportedCelValue(`binding ${name} of kind ${bound.kind.case ?? 'unset'}`);
    context[name] = toEngineValue(bound.kind.value);
  }
  return context;
}

/** Compile (parse, then type-check unless the test disables it) and evaluate, as a policy is. */
function run(env: Environment, test: SimpleTest, context: Record<string, unknown>): Outcome {
  let compiled: ReturnType<Environment['parse']>;
  try {
    compiled = env.parse(test.expr);
  } catch (error) {
    return { kind: 'error', stage: 'parse', error };
  }
  let type: string | undefined;
  if (!test.disableCheck) {
    const checked = compiled.check();
    if (!checked.valid) return { kind: 'error', stage: 'check', error: checked.error };
    type = checked.type;
  }
  if (test.checkOnly) return { kind: 'value', value: undefined, type };
  try {
    return { kind: 'value', value: compiled(context), type };
  } catch (error) {
    return { kind: 'error', stage: 'eval', error };
  }
}

function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
}

function describeOutcome(outcome: Outcome): string {
  if (outcome.kind === 'value') return `value ${show(outcome.value)} (checked type ${outcome.type ?? 'n/a'})`;
  return `${outcome.stage} error: ${firstLine(outcome.error)}`;
}

function expectValue(outcome: Outcome, expected: Value): Verdict {
  if (outcome.kind === 'value' && matchesValue(outcome.value, expected)) return PASS;
  return fail(`expected ${expected.kind.case} ${show(expected.kind.value)}, got ${describeOutcome(outcome)}`);
}

const OVERLOAD_ERROR = /no[ _](such|matching)[ _]overload|unbound function/i;

function expectEvalError(outcome: Outcome, expected: ErrorSet[]): Verdict {
  // The error must come from evaluation: a parse or check failure means the engine rejected an
  // expression cel-go accepts, which would otherwise pass vacuously. Messages are cel-go's
  // wording, so only one distinction is kept: "no matching overload" where the suite expects a
  // different error means the engine lacks the function, not that it failed for the right reason.
  if (outcome.kind !== 'error' || outcome.stage !== 'eval') return fail(`expected an evaluation error, got ${describeOutcome(outcome)}`);
  const wanted = expected.flatMap((set) => set.errors.map((status) => status.message));
  if (OVERLOAD_ERROR.test(firstLine(outcome.error)) && !wanted.some((m) => OVERLOAD_ERROR.test(m))) {
    return fail(`expected error "${wanted.join('; ')}", got ${describeOutcome(outcome)}`);
  }
  return PASS;
}

/** The suite's rule: a test without a result matcher expects `true`. */
const TRUE = create(ValueSchema, { kind: { case: 'boolValue', value: true } });

function judge(test: SimpleTest, outcome: Outcome): Verdict {
  const matcher = test.resultMatcher;
  switch (matcher.case) {
    case undefined:
      return expectValue(outcome, TRUE);
    case 'value':
      return expectValue(outcome, matcher.value);
    case 'evalError':
      return expectEvalError(outcome, [matcher.value]);
    case 'anyEvalErrors':
      return expectEvalError(outcome, matcher.value.errors);
    case 'typedResult': {
      if (outcome.kind !== 'value') return fail(`expected a typed result, got ${describeOutcome(outcome)}`);
      const expectedType = engineTypeName(matcher.value.deducedType);
      const actualType = outcome.type === undefined ? 'unchecked' : canonicalEngineType(outcome.type);
      if (actualType !== expectedType) return fail(`expected type ${expectedType}, got ${actualType}`);
      const result = matcher.value.result;
      return test.checkOnly || result === undefined ? PASS : expectValue(outcome, result);
    }
    default:
      return fail(`result matcher ${matcher.case} not supported by the harness`);
  }
}

function verdictFor(test: SimpleTest): Verdict {
  try {
    return judge(test, run(environmentFor(test), test, contextFor(test)));
  } catch (error) {
    return fail(error instanceof UnsupportedCelValue ? error.message : `harness error: ${firstLine(error)}`);
  }
}

interface Case {
  id: string;
  file: string;
  section: string;
  name: string;
  test: SimpleTest;
  skip: string | undefined;
}

const unusedSkips = new Set(CONFORMANCE_SKIPS.flatMap((group) => group.tests));

function skipReason(id: string): string | undefined {
  for (const group of CONFORMANCE_SKIPS) {
    const entry = group.tests.find((e) => (e.endsWith('/*') ? id.startsWith(e.slice(0, -1)) : id === e));
    if (entry !== undefined) {
      unusedSkips.delete(entry);
      return group.reason;
    }
  }
  return undefined;
}

function collectCases(): Case[] {
  const cases: Case[] = [];
  const seen = new Map<string, number>();
  for (const file of getConformanceSuite().suites) {
    for (const section of file.suites) {
      for (const t of section.tests) {
        // A few upstream names repeat within a section; number the repeats so ids stay unique.
        const first = `${file.name}/${section.name}/${t.name}`;
        const n = (seen.get(first) ?? 0) + 1;
        seen.set(first, n);
        const name = n === 1 ? t.name : `${t.name}#${n}`;
        const id = `${file.name}/${section.name}/${name}`;
        cases.push({ id, file: file.name, section: section.name, name, test: t.original, skip: skipReason(id) });
      }
    }
  }
  return cases;
}

const cases = collectCases();
const files = [...new Set(cases.map((c) => c.file))];

// Plain `it(name)` rather than `it.each`: test names contain `%` (format tests), which `.each` would interpolate.
for (const file of files) {
  describe(file, () => {
    const inFile = cases.filter((c) => c.file === file);
    for (const section of new Set(inFile.map((c) => c.section))) {
      describe(section, () => {
        for (const c of inFile.filter((x) => x.section === section)) {
          const reason = c.skip;
          if (reason === undefined) {
            it(c.name, () => {
              const verdict = verdictFor(c.test);
              if (!verdict.pass) assert.fail(`${verdict.why}\n  expr: ${c.test.expr}`);
            });
          } else {
            it(`${c.name} [skipped]`, () => {
              expect(verdictFor(c.test).pass, `${c.id} passes now: remove it from the skip list, narrowing its wildcard if need be ("${reason}")`).toBe(false);
            });
          }
        }
      });
    }
  });
}

describe('harness', () => {
  const value = (kind: Value['kind']) => create(ValueSchema, { kind });
  const int = (n: bigint) => value({ case: 'int64Value', value: n });
  const str = (s: string) => value({ case: 'stringValue', value: s });
  const map = (entries: [Value, Value][]) =>
    value({ case: 'mapValue', value: create(MapValueSchema, { entries: entries.map(([key, v]) => ({ key, value: v })) }) });
  const timestamp = (seconds: bigint, nanos: number) =>
    value({ case: 'objectValue', value: anyPack(TimestampSchema, create(TimestampSchema, { seconds, nanos })) });
  const duration = (seconds: bigint, nanos: number) =>
    value({ case: 'objectValue', value: anyPack(DurationSchema, create(DurationSchema, { seconds, nanos })) });
  const suiteTest = (id: string): SimpleTest => {
    const found = cases.find((c) => c.id === id);
    if (!found) throw new Error(`no suite test ${id}`);
    return found.test;
  };

  it('matches CEL types exactly, not just numerically equal values', () => {
    expect(matchesValue(1n, int(1n))).toBe(true);
    expect(matchesValue(1, int(1n))).toBe(false);
    expect(matchesValue(1n, value({ case: 'doubleValue', value: 1 }))).toBe(false);
    expect(matchesValue(1n, value({ case: 'uint64Value', value: 1n }))).toBe(false);
    expect(matchesValue(new UnsignedInt(1n), value({ case: 'uint64Value', value: 1n }))).toBe(true);
    expect(matchesValue(Number.NaN, value({ case: 'doubleValue', value: Number.NaN }))).toBe(true);
    expect(matchesValue('1', int(1n))).toBe(false);
  });

  it('does not let a string-keyed object stand in for an int-keyed map', () => {
    expect(matchesValue(new Map([[1n, 'a']]), map([[int(1n), str('a')]]))).toBe(true);
    expect(matchesValue({ 1: 'a' }, map([[int(1n), str('a')]]))).toBe(false);
    expect(matchesValue({ 1: 'a' }, map([[str('1'), str('a')]]))).toBe(true);
    expect(matchesValue({ a: 1n }, map([]))).toBe(false);
  });

  it('converts bindings as callers pass them: string-keyed maps as objects, others as Map', () => {
    expect(toEngineValue(map([[str('k'), int(2n)]]))).toEqual({ k: 2n });
    expect(toEngineValue(map([[int(1n), str('a')]]))).toEqual(new Map([[1n, 'a']]));
  });

  it('compares timestamps to the nanosecond and durations exactly', () => {
    expect(matchesValue(new Date(1500), timestamp(1n, 500_000_000))).toBe(true);
    expect(matchesValue(new Date(1500), timestamp(1n, 500_000_001))).toBe(false);
    expect(matchesValue(new Duration(90n, 0), duration(90n, 0))).toBe(true);
    expect(matchesValue(new Duration(90n, 1), duration(90n, 0))).toBe(false);
  });

  it('counts only evaluation errors when the suite expects one', () => {
    const divideByZero = suiteTest('integer_math/int64_math/divide_zero');
    expect(verdictFor(divideByZero)).toEqual(PASS);
    expect(verdictFor({ ...divideByZero, expr: '1 / ' }).pass).toBe(false);
    expect(verdictFor({ ...divideByZero, expr: '1 / "a"' }).pass).toBe(false);
  });
});

describe('conformance coverage', () => {
  it('every skip entry names a test of the suite', () => {
    expect([...unusedSkips]).toEqual([]);
  });

  it(`at least ${MIN_PASSED} tests pass`, () => {
    const lines = files.map((file) => {
      const inFile = cases.filter((c) => c.file === file);
      const skipped = inFile.filter((c) => c.skip !== undefined).length;
      return `${file.padEnd(16)} ${String(inFile.length - skipped).padStart(4)} passed ${String(skipped).padStart(4)} skipped`;
    });
    const passed = cases.filter((c) => c.skip === undefined).length;
    console.info(`CEL conformance: ${passed} of ${cases.length} pass, ${cases.length - passed} skipped\n${lines.join('\n')}`);
    expect(passed).toBeGreaterThanOrEqual(MIN_PASSED);
  });
});
