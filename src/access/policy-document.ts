import { LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { LangtrainError, isLangtrainError } from '../core/errors.js';
import { parseOptions } from '../core/options.js';
import { Authorizer, authorizerOptionsSchema, type AuthorizerOptions } from './authorizer.js';
import type { ConditionPosition } from './condition-compiler.js';
import { PolicyEngine, policyEngineOptionsSchema } from './policy-engine.js';
import { RoleManager } from './role-manager.js';
import { accessDocumentSchema } from './schemas.js';
import { positionInScalar, positionOfPath, type FilePosition } from './yaml-positions.js';

/**
 * Policies as data: a YAML (or JSON, its subset) document of `roles`, `bindings` and `policies`,
 * validated in full before it can decide anything. Every problem names the file, the role or
 * policy, the line and column (inside a condition, where the CEL error is) and the reason.
 * A document given as data (the server's store) is validated the same way; its problems point
 * into the fields the caller wrote, since there is no file to point into.
 */

/** The document's shape (roles, bindings, policies and their fields) is schemas.ts's, shared with the server. */
const documentSchema = accessDocumentSchema;

export type PolicyDocument = z.output<typeof documentSchema>;

/** As `policyDocumentOptionsSchema`: any other option is refused. */
export interface PolicyDocumentOptions extends Omit<AuthorizerOptions, 'roles' | 'policies'> {
  /** Resource types conditions without `resources:` may name, beside the defaults. */
  resourceTypes?: string[];
}

/** The Authorizer's options but its roles and policies (the document gives those), and the PolicyEngine's. */
export const policyDocumentOptionsSchema = z.strictObject({
  ...authorizerOptionsSchema.omit({ roles: true, policies: true }).shape,
  ...policyEngineOptionsSchema.shape,
});

/** One thing wrong in a policy file. */
export interface PolicyProblem {
  line?: number;
  column?: number;
  /** `role "admin"`, `policy "sensitive_data_access"`, `binding 2 (alice → admin)`; absent for the file as a whole. */
  item?: string;
  /** The field, as a path in the document (`policies.0.condition`). */
  path: string;
  reason: string;
  /** For a condition the CEL compiler refused: where, inside the condition (1-based line and column). */
  position?: ConditionPosition;
}

/** Where a document came from, so a problem can point into it. */
interface DocumentSource {
  /** The line and column of the field at `path` (for an unknown `key`, of that key). */
  positionOf(path: readonly PropertyKey[], key?: string): FilePosition | undefined;
  /** Where a condition problem is, and its reason as this source's reader needs it. */
  conditionProblem(path: readonly PropertyKey[], reason: string, inCondition: ConditionPosition): { at?: FilePosition; reason: string };
}

/**
 * Parses and validates `text` (named `fileName` in errors) and builds the Authorizer it
 * describes. Throws ERR_POLICY_INVALID listing every problem found.
 */
export function parsePolicyDocument(text: string, fileName: string, options: PolicyDocumentOptions = {}): Authorizer {
  options = parseOptions(policyDocumentOptionsSchema, options, 'parsePolicyDocument');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw fileError(fileName, doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return { ...(pos === undefined ? {} : { line: pos.line, column: pos.col }), path: '', reason: e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? e.code };
    }));
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const source = yamlSource(doc, lines, text);
  const parsed = documentSchema.safeParse(raw);
  if (!parsed.success) throw fileError(fileName, schemaProblems(parsed.error, source, raw));
  const built = new DocumentBuilder(source, parsed.data, options).build();
  if (built.problems.length > 0) throw fileError(fileName, built.problems);
  return built.authorizer;
}

/**
 * Validates a document given as data (what the server's store holds, or a caller's JSON body)
 * and builds its Authorizer. Nothing points into a serialized form the caller never saw: a
 * refusal names the role, binding or policy and the field, and for a CEL error the line and
 * column inside the condition. One problem is thrown as that item's own error
 * (ERR_POLICY_INVALID for a policy, ERR_INVALID_INPUT for a role or binding, with `policy`,
 * `role` or `binding`, `field`, `reason` and `position` in its details); several as
 * ERR_POLICY_INVALID listing each.
 */
export function buildPolicyDocument(document: unknown, options: PolicyDocumentOptions = {}): Authorizer {
  options = parseOptions(policyDocumentOptionsSchema, options, 'buildPolicyDocument');
  const parsed = documentSchema.safeParse(document);
  if (!parsed.success) throw documentError(schemaProblems(parsed.error, DATA_SOURCE, document), document);
  const built = new DocumentBuilder(DATA_SOURCE, parsed.data, options).build();
  if (built.problems.length > 0) throw documentError(built.problems, parsed.data);
  return built.authorizer;
}

function schemaProblems(error: z.ZodError, source: DocumentSource, raw: unknown): PolicyProblem[] {
  return error.issues.map((issue) => {
    const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const reason = issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue.message;
    return problem(source, raw, issue.path, reason, key);
  });
}

class DocumentBuilder {
  readonly #problems: PolicyProblem[] = [];
  /** Roles that could not be defined: whatever names them is skipped, not reported again. */
  readonly #failedRoles = new Set<string>();

  constructor(
    readonly source: DocumentSource,
    readonly data: PolicyDocument,
    readonly options: PolicyDocumentOptions,
  ) {}

  /** The Authorizer, or every problem found (then the Authorizer must not be used). */
  build(): { authorizer: Authorizer; problems: PolicyProblem[] } {
    const { resourceTypes, ...rest } = this.options;
    const roles = new RoleManager();
    const policies = new PolicyEngine(resourceTypes === undefined ? {} : { resourceTypes });
    this.#defineRoles(roles);
    this.data.bindings.forEach((b, i) => {
      if (this.#failedRoles.has(b.role)) return;
      const { principal, role, ...scope } = b;
      this.#attempt(['bindings', i], () => roles.bind(principal, role, scope));
    });
    this.data.policies.forEach((p, i) => this.#attempt(['policies', i], () => policies.addPolicy(p)));
    return { authorizer: new Authorizer({ ...rest, roles, policies }), problems: this.#problems };
  }

  /** Parents before heirs, whatever the file's order; a cycle is reported where it closes. */
  #defineRoles(roles: RoleManager): void {
    const index = new Map<string, number>();
    this.data.roles.forEach((r, i) => {
      if (index.has(r.name)) this.#report(['roles', i, 'name'], `role "${r.name}" is defined twice`);
      else index.set(r.name, i);
    });
    const state = new Map<number, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (i: number) => {
      const role = this.data.roles[i]!;
      state.set(i, 'visiting');
      stack.push(role.name);
      let cyclic = false;
      for (const parent of role.inherits ?? []) {
        const j = index.get(parent);
        if (j === undefined) continue;
        if (state.get(j) === 'visiting') {
          this.#report(['roles', i, 'inherits'], `inheritance cycle ${[...stack.slice(stack.indexOf(parent)), parent].join(' → ')}`);
          cyclic = true;
        } else if (state.get(j) === undefined) visit(j);
      }
      stack.pop();
      state.set(i, 'done');
      if (cyclic || (role.inherits ?? []).some((p) => this.#failedRoles.has(p))) this.#failedRoles.add(role.name);
      else if (!this.#attempt(['roles', i], () => roles.createRole(role.name, specOf(role)))) this.#failedRoles.add(role.name);
    };
    for (const i of index.values()) if (state.get(i) === undefined) visit(i);
  }

  /** Runs `define`; a refusal becomes a problem at the field it names. False when refused. */
  #attempt(item: [string, number], define: () => unknown): boolean {
    try {
      define();
      return true;
    } catch (err) {
      if (!isLangtrainError(err)) throw err;
      const field = String(err.details.field ?? err.details.option ?? '');
      const path = field === '' ? item : [...item, field];
      const reason = String(err.details.reason ?? err.message);
      const inCondition = err.details.position as ConditionPosition | undefined;
      if (field === 'condition' && inCondition !== undefined) {
        const located = this.source.conditionProblem(path, reason, inCondition);
        const found = problem(this.source, this.data, path, located.reason);
        this.#problems.push({ ...found, ...(located.at === undefined ? {} : { line: located.at.line, column: located.at.column }), position: inCondition });
      } else {
        this.#report(path, reason);
      }
      return false;
    }
  }

  #report(path: (string | number)[], reason: string): void {
    this.#problems.push(problem(this.source, this.data, path, reason));
  }
}

function specOf({ name: _, ...spec }: PolicyDocument['roles'][number]): Omit<PolicyDocument['roles'][number], 'name'> {
  return spec;
}

/** A file: problems at their line and column, a CEL error at its place in the file when the condition's text maps back to one. */
function yamlSource(doc: Document, lines: LineCounter, text: string): DocumentSource {
  return {
    positionOf: (path, key) => positionOfPath(doc, lines, path, key),
    conditionProblem: (path, reason, inCondition) => {
      const exact = positionInScalar(doc, lines, text, path, inCondition.offset);
      if (exact !== undefined) return { at: exact, reason };
      // Folded or escaped text: the field's own position, and the place inside the condition in words.
      return { reason: `${reason} (line ${inCondition.line}, column ${inCondition.column} of the condition)` };
    },
  };
}

/** Data (no text): only the item, the field and the place inside a condition say where. */
const DATA_SOURCE: DocumentSource = {
  positionOf: () => undefined,
  conditionProblem: (_path, reason) => ({ reason }),
};

function problem(source: DocumentSource, data: unknown, path: readonly PropertyKey[], reason: string, key?: string): PolicyProblem {
  const at = source.positionOf(path, key);
  const item = itemName(data, path);
  return { ...(at === undefined ? {} : { line: at.line, column: at.column }), ...(item === undefined ? {} : { item }), path: path.map(String).join('.'), reason };
}

/** The role, binding or policy at `path` (`['policies', 2, 'condition']`), as the document gives it. */
function entryAt(data: unknown, path: readonly PropertyKey[]): { section: string; index: number; entry: Record<string, unknown> | undefined } | undefined {
  const [section, index] = path;
  if (typeof index !== 'number') return undefined;
  const entry = (data as Record<string, unknown[] | undefined> | null)?.[String(section)]?.[index] as Record<string, unknown> | undefined;
  return { section: String(section), index, entry };
}

/** How an error names the role, binding or policy at `path`, from what the document says. */
function itemName(data: unknown, path: readonly PropertyKey[]): string | undefined {
  const at = entryAt(data, path);
  if (at === undefined) return undefined;
  const { section, index, entry } = at;
  const name = typeof entry?.name === 'string' ? JSON.stringify(entry.name) : `#${index + 1}`;
  switch (section) {
    case 'roles':
      return `role ${name}`;
    case 'policies':
      return `policy ${name}`;
    case 'bindings':
      return `binding #${index + 1}${typeof entry?.principal === 'string' && typeof entry.role === 'string' ? ` (${entry.principal} → ${entry.role})` : ''}`;
    default:
      return undefined;
  }
}

/** The same, as error details a program can branch on: `{policy: name}`, `{role: name}` or `{binding: {principal, role}}`. */
function itemDetails(data: unknown, path: string): Record<string, unknown> {
  const [section = '', index] = path.split('.');
  const found = entryAt(data, [section, Number(index)]);
  if (found?.entry === undefined) return {};
  const { name, principal, role } = found.entry;
  if (section === 'policies' && typeof name === 'string') return { policy: name };
  if (section === 'roles' && typeof name === 'string') return { role: name };
  if (section === 'bindings') return { binding: { principal, role } };
  return {};
}

/** The field within the item (`condition`, not `policies.2.condition`: the item already names the entry); the path itself for the document as a whole. */
function fieldOf(p: PolicyProblem): string {
  return p.item === undefined ? p.path : p.path.split('.').slice(2).join('.');
}

function fileError(fileName: string, problems: PolicyProblem[]): LangtrainError {
  const lines = problems.map((p) => {
    const field = fieldOf(p);
    return `${fileName}${p.line === undefined ? '' : `:${p.line}:${p.column}`}: ${p.item === undefined ? '' : `${p.item}: `}${field === '' ? '' : `${field}: `}${p.reason}`;
  });
  const message = lines.length === 1 ? (lines[0] as string) : `${fileName}: ${lines.length} problems:\n${lines.join('\n')}`;
  return new LangtrainError('ERR_POLICY_INVALID', message, { file: fileName, problems });
}

/**
 * A document given as data: one problem (what a change to one role, binding or policy brings)
 * is that item's own error; several (a whole document) are listed, one line each.
 */
function documentError(problems: PolicyProblem[], data: unknown): LangtrainError {
  const lines = problems.map(describeDataProblem);
  const only = problems.length === 1 ? problems[0] : undefined;
  if (only === undefined) return new LangtrainError('ERR_POLICY_INVALID', `the document has ${problems.length} problems:\n${lines.join('\n')}`, { problems });
  const field = fieldOf(only);
  // A role or binding refused is invalid input, a policy refused is ERR_POLICY_INVALID (docs/access.md §6).
  const code = only.path.startsWith('roles.') || only.path.startsWith('bindings.') ? 'ERR_INVALID_INPUT' : 'ERR_POLICY_INVALID';
  return new LangtrainError(code, lines[0] as string, {
    ...itemDetails(data, only.path),
    ...(field === '' ? {} : { field }),
    reason: only.reason,
    ...(only.position === undefined ? {} : { position: only.position }),
    problems,
  });
}

/** `policy "p": condition at line 1, column 5: Unknown variable: usr`, `role "r": inherits: …`. */
function describeDataProblem(p: PolicyProblem): string {
  const field = fieldOf(p);
  const where = p.position === undefined ? field : `${field} at line ${p.position.line}, column ${p.position.column}`;
  return `${p.item === undefined ? '' : `${p.item}: `}${where === '' ? '' : `${where}: `}${p.reason}`;
}
