/**
 * Bridges the CEL conformance suite's protobuf values (`cel.expr.Value`, `cel.expr.Type`) and
 * the values of `@marcbachmann/cel-js`: ints are bigint, uints `UnsignedInt`, doubles numbers,
 * bytes `Uint8Array`, timestamps `Date` (millisecond precision), durations `Duration`, lists
 * arrays, maps plain objects (or `Map`), type values the engine's `Type` (compared by name).
 *
 * Matching is exact, as simple.proto asks (proto equality, maps unordered, NaN matches NaN): an
 * int never matches a double, so a conformance pass means the engine returned the same CEL type,
 * not merely an equal number.
 */
import { Type_PrimitiveType, Type_WellKnownType, type Type } from '@bufbuild/cel-spec/cel/expr/checked_pb.js';
import type { Value } from '@bufbuild/cel-spec/cel/expr/value_pb.js';
import { getTestRegistry } from '@bufbuild/cel-spec/testdata/registry.js';
import { anyUnpack, type Any, type Duration as DurationMessage, type Timestamp } from '@bufbuild/protobuf/wkt';
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';

/** A suite value or type the engine has no counterpart for (protobuf messages, enums, wrappers). */
export class UnsupportedCelValue extends Error {
  override readonly name = 'UnsupportedCelValue';
}

const registry = getTestRegistry();
const TIMESTAMP = 'google.protobuf.Timestamp';
const DURATION = 'google.protobuf.Duration';

const PRIMITIVE_NAMES: Record<Type_PrimitiveType, string | undefined> = {
  [Type_PrimitiveType.PRIMITIVE_TYPE_UNSPECIFIED]: undefined,
  [Type_PrimitiveType.BOOL]: 'bool',
  [Type_PrimitiveType.INT64]: 'int',
  [Type_PrimitiveType.UINT64]: 'uint',
  [Type_PrimitiveType.DOUBLE]: 'double',
  [Type_PrimitiveType.STRING]: 'string',
  [Type_PrimitiveType.BYTES]: 'bytes',
};

/** The engine's spelling of a declared type (`list<int>`, `map<string, dyn>`, `google.protobuf.Timestamp`). */
export function engineTypeName(type: Type | undefined): string {
  const kind = type?.typeKind;
  switch (kind?.case) {
    case 'dyn':
      return 'dyn';
    case 'null':
      return 'null';
    case 'primitive':
      return PRIMITIVE_NAMES[kind.value] ?? unsupported(`primitive type ${kind.value}`);
    case 'wellKnown':
      if (kind.value === Type_WellKnownType.TIMESTAMP) return TIMESTAMP;
      if (kind.value === Type_WellKnownType.DURATION) return DURATION;
      return unsupported(`well-known type ${Type_WellKnownType[kind.value]}`);
    case 'listType':
      return `list<${engineTypeName(kind.value.elemType)}>`;
    case 'mapType':
      return `map<${engineTypeName(kind.value.keyType)}, ${engineTypeName(kind.value.valueType)}>`;
    case 'type':
      return 'type';
    case 'abstractType':
      if (kind.value.name === 'optional_type') return `optional<${engineTypeName(kind.value.parameterTypes[0])}>`;
      return unsupported(`abstract type ${kind.value.name}`);
    case 'messageType':
      // The suite declares timestamps and durations either as well-known kinds or by message name.
      return kind.value === TIMESTAMP || kind.value === DURATION ? kind.value : unsupported(`message type ${kind.value}`);
    case 'wrapper':
      return unsupported(`wrapper type ${Type_PrimitiveType[kind.value]}`);
    default:
      return unsupported(`type kind ${kind?.case ?? 'unset'}`);
  }
}

/** The engine's `check().type` in canonical form: it abbreviates `list<dyn>` and `map<dyn, dyn>`. */
export function canonicalEngineType(name: string): string {
  if (name === 'list') return 'list<dyn>';
  if (name === 'map') return 'map<dyn, dyn>';
  return name;
}

/** Converts a suite value into what the engine expects in an evaluation context. */
export function toEngineValue(value: Value): unknown {
  const kind = value.kind;
  switch (kind.case) {
    case 'nullValue':
      return null;
    case 'boolValue':
    case 'int64Value':
    case 'doubleValue':
    case 'stringValue':
    case 'bytesValue':
      return kind.value;
    case 'uint64Value':
      return new UnsignedInt(kind.value);
    case 'listValue':
      return kind.value.values.map(toEngineValue);
    case 'mapValue': {
      const entries = kind.value.entries.map((e) => [toEngineValue(required(e.key)), toEngineValue(required(e.value))] as const);
      // String-keyed maps are what callers pass (JSON attributes); other key types need a Map.
      return entries.every(([k]) => typeof k === 'string') ? Object.fromEntries(entries) : new Map(entries);
    }
    case 'objectValue':
      return fromObjectValue(kind.value);
    default:
      return unsupported(`value kind ${kind.case ?? 'unset'}`);
  }
}

function fromObjectValue(any: Any): unknown {
  const message = anyUnpack(any, registry);
  if (message?.$typeName === TIMESTAMP) {
    const ts = message as Timestamp;
    if (ts.nanos % 1_000_000 !== 0) unsupported('timestamp with sub-millisecond nanos');
    return new Date(Number(ts.seconds) * 1000 + ts.nanos / 1_000_000);
  }
  if (message?.$typeName === DURATION) {
    const d = message as DurationMessage;
    return new Duration(d.seconds, d.nanos);
  }
  return unsupported(`object value ${any.typeUrl}`);
}

/** Whether an engine result is exactly the expected suite value (same CEL type, same value). */
export function matchesValue(actual: unknown, expected: Value): boolean {
  const kind = expected.kind;
  switch (kind.case) {
    case 'nullValue':
      return actual === null;
    case 'boolValue':
    case 'int64Value':
    case 'stringValue':
      return actual === kind.value;
    case 'doubleValue':
      return typeof actual === 'number' && (actual === kind.value || (Number.isNaN(actual) && Number.isNaN(kind.value)));
    case 'uint64Value':
      return actual instanceof UnsignedInt && actual.value === kind.value;
    case 'bytesValue':
      return actual instanceof Uint8Array && Buffer.from(actual).equals(kind.value);
    case 'typeValue':
      return isEngineType(actual) && actual.name === (kind.value === 'null_type' ? 'null' : kind.value);
    case 'listValue': {
      const values = kind.value.values;
      return Array.isArray(actual) && actual.length === values.length && values.every((v, i) => matchesValue(actual[i], v));
    }
    case 'mapValue':
      return matchesMap(actual, kind.value.entries);
    case 'objectValue':
      return matchesObject(actual, kind.value);
    default:
      return unsupported(`expected value kind ${kind.case ?? 'unset'}`);
  }
}

function matchesMap(actual: unknown, entries: { key?: Value; value?: Value }[]): boolean {
  if (actual instanceof Map) {
    if (actual.size !== entries.length) return false;
    return entries.every((e) => {
      const key = [...actual.keys()].find((k) => matchesValue(k, required(e.key)));
      return key !== undefined && matchesValue(actual.get(key), required(e.value));
    });
  }
  if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
  const record = actual as Record<string, unknown>;
  if (Object.keys(record).length !== entries.length) return false;
  // A plain object can only hold string keys: an int/bool-keyed expected map never matches it.
  return entries.every((e) => {
    const key = required(e.key).kind;
    return key.case === 'stringValue' && Object.hasOwn(record, key.value) && matchesValue(record[key.value], required(e.value));
  });
}

function matchesObject(actual: unknown, any: Any): boolean {
  const message = anyUnpack(any, registry);
  if (message?.$typeName === TIMESTAMP) {
    const ts = message as Timestamp;
    const millis = actual instanceof Date ? actual.getTime() : Number.NaN;
    return Number.isFinite(millis) && BigInt(millis) * 1_000_000n === ts.seconds * 1_000_000_000n + BigInt(ts.nanos);
  }
  if (message?.$typeName === DURATION) {
    const d = message as DurationMessage;
    return actual instanceof Duration && actual.seconds === d.seconds && actual.nanos === d.nanos;
  }
  return unsupported(`expected object value ${any.typeUrl}`);
}

function isEngineType(value: unknown): value is { name: string } {
  // The engine's Type class is not exported; its instances are frozen objects tagged `Type<name>`.
  return typeof value === 'object' && value !== null && value.constructor?.name === 'Type' && typeof (value as { name?: unknown }).name === 'string';
}

function required(value: Value | undefined): Value {
  return value ?? unsupported('map entry without key or value');
}

function unsupported(what: string): never {
  throw new UnsupportedCelValue(`not representable in the engine: ${what}`);
}
