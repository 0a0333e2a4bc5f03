import { isCelError, run } from '@bufbuild/cel';
import { describe, expect, it } from 'vitest';
import { Authorizer } from '../../src/access/authorizer.js';
import type { AttributeValue, Attributes, PolicyOutcome } from '../../src/access/model.js';

/**
 * The seed's two conditions, decided by our engine (cel-js inside the Authorizer) and by a
 * second CEL implementation (@bufbuild/cel) on a table of inputs, valid and not: both must give
 * the same outcome (true, false, or an error) on every row.
 */

const CLEARANCE = 'user.clearance_level >= dataset.classification_level';
const GEOGRAPHY = 'user.location in dataset.allowed_regions';

type Cell = AttributeValue | undefined;
const MISSING = undefined;

function engine(): Authorizer {
  const authz = new Authorizer();
  authz.roles.createRole('reader', { permissions: ['datasets.read'] });
  authz.roles.bind('u1', 'reader');
  authz.policies.addPolicy({ name: 'sensitive_data_access', effect: 'allow', resources: ['dataset'], condition: CLEARANCE });
  authz.policies.addPolicy({ name: 'geographic_restriction', effect: 'allow', resources: ['dataset'], condition: GEOGRAPHY });
  return authz;
}

const attrs = (entries: Record<string, Cell>): Attributes => Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== MISSING)) as Attributes;

/** Our outcome for each policy, from explain (which evaluates every applicable policy). */
function ours(authz: Authorizer, user: Attributes, dataset: Attributes): Record<string, PolicyOutcome> {
  const { reasons } = authz.explain({ principal: { id: 'u1', attributes: user }, action: 'datasets.read', resource: { type: 'dataset', id: 'd1', attributes: dataset } });
  return Object.fromEntries(reasons.flatMap((r) => (r.kind === 'policy' ? [[r.policy, r.outcome]] : [])));
}

/** The same JSON → CEL rule, written again for the second implementation: integers are ints, other numbers doubles, objects maps. */
function bufValue(value: AttributeValue): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(bufValue);
  if (value !== null && typeof value === 'object') return new Map(Object.entries(value).map(([k, v]) => [k, bufValue(v)]));
  return value;
}

function theirs(condition: string, user: Attributes, dataset: Attributes): PolicyOutcome {
  const result = run(condition, { user: bufValue(user), dataset: bufValue(dataset) } as never);
  if (isCelError(result)) return 'error';
  return result === true ? 'true' : result === false ? 'false' : 'error';
}

/**
 * Rows where the two implementations differ, pinned so a change in either is noticed. `null` as
 * a map key: cel-js says absent (false), as the spec's vectors do for a key of a type the map
 * does not hold ('key' in {1u:'str', 2:b'bytes'} is false); @bufbuild/cel refuses null as a key
 * type (an error). An allow policy reads both as "not satisfied"; for a deny policy, write
 * `has()` or a type check before `in` if null can occur.
 */
const KNOWN_DIFFERENCES: { location: Cell; regions: Cell; ours: PolicyOutcome; theirs: PolicyOutcome }[] = [{ location: null, regions: { 'eu-west': true }, ours: 'false', theirs: 'error' }];

describe('the seed conditions agree with a second CEL implementation', () => {
  const authz = engine();

  const clearances: Cell[] = [0, 1, 3, 5, 2.5, -1, 1e6, '3', true, null, MISSING];
  const classifications: Cell[] = [1, 3, 5, 2.5, 3.25, '3', false, MISSING];
  it.each(clearances.flatMap((c) => classifications.map((k) => [c, k] as const)))('clearance %j vs classification %j', (clearance, classification) => {
    const user = attrs({ clearance_level: clearance, location: 'eu-west' });
    const dataset = attrs({ classification_level: classification, allowed_regions: ['eu-west'] });
    expect(ours(authz, user, dataset).sensitive_data_access).toBe(theirs(CLEARANCE, user, dataset));
  });

  const locations: Cell[] = ['eu-west', 'us-east', 'mars', '', 1, null, MISSING];
  const regionLists: Cell[] = [['eu-west', 'us-east'], [], ['eu-west', 2], [1, 2], 'eu-west', { 'eu-west': true }, null, MISSING];
  it.each(locations.flatMap((l) => regionLists.map((r) => [l, r] as const)))('location %j in %j', (location, regions) => {
    const user = attrs({ clearance_level: 5, location });
    const dataset = attrs({ classification_level: 1, allowed_regions: regions });
    const known = KNOWN_DIFFERENCES.find((d) => d.location === location && JSON.stringify(d.regions) === JSON.stringify(regions));
    if (known === undefined) expect(ours(authz, user, dataset).geographic_restriction).toBe(theirs(GEOGRAPHY, user, dataset));
    else expect([ours(authz, user, dataset).geographic_restriction, theirs(GEOGRAPHY, user, dataset)]).toEqual([known.ours, known.theirs]);
  });

  it('and the table is not trivial: each outcome occurs', () => {
    const seen = new Set<PolicyOutcome>();
    for (const c of clearances) for (const k of classifications) seen.add(theirs(CLEARANCE, attrs({ clearance_level: c }), attrs({ classification_level: k })));
    for (const l of locations) for (const r of regionLists) seen.add(theirs(GEOGRAPHY, attrs({ location: l }), attrs({ allowed_regions: r })));
    expect([...seen].sort()).toEqual(['error', 'false', 'true']);
  });
});
