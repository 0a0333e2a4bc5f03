import { LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { LangtrainError, isLangtrainError } from '../core/errors.js';
import { Authorizer, type AuthorizerOptions } from './authorizer.js';
import { PolicyEngine } from './policy-engine.js';
import { RoleManager } from './role-manager.js';
import { positionInScalar, positionOfPath, type FilePosition } from './yaml-positions.js';

/**
 * Policies as data: a YAML (or JSON, its subset) document of `roles`, `bindings` and `policies`,
 * validated in full before it can decide anything. Every problem names the file, the role or
 * policy, the line and column (inside a condition, where the CEL error is) and the reason.
 */

const roleSchema = z.strictObject({
  name: z.string(),
  permissions: z.array(z.string()),
  inherits: z.array(z.string()).optional(),
  description: z.string().optional(),
});
const bindingSchema = z.strictObject({
  principal: z.string(),
  role: z.string(),
  resource: z.string().optional(),
  expires: z.string().optional(),
});
const policySchema = z.strictObject({
  name: z.string(),
  effect: z.enum(['allow', 'deny']),
  condition: z.string(),
  actions: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional(),
  description: z.string().optional(),
});
const documentSchema = z.strictObject({
  roles: z.array(roleSchema).default([]),
  bindings: z.array(bindingSchema).default([]),
  policies: z.array(policySchema).default([]),
});

export type PolicyDocument = z.output<typeof documentSchema>;

export interface PolicyDocumentOptions extends Omit<AuthorizerOptions, 'roles' | 'policies'> {
  /** Resource types conditions without `resources:` may name, beside the defaults. */
  resourceTypes?: string[];
}

/** One thing wrong in a policy file. */
export interface PolicyProblem {
  line?: number;
  column?: number;
  /** `role "admin"`, `policy "sensitive_data_access"`, `binding 2 (alice → admin)`; absent for the file as a whole. */
  item?: string;
  /** The field, as a path in the document (`policies.0.condition`). */
  path: string;
  reason: string;
}

/**
 * Parses and validates `text` (named `fileName` in errors) and builds the Authorizer it
 * describes. Throws ERR_POLICY_INVALID listing every problem found.
 */
export function parsePolicyDocument(text: string, fileName: string, options: PolicyDocumentOptions = {}): Authorizer {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw fileError(fileName, doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return { ...(pos === undefined ? {} : { line: pos.line, column: pos.col }), path: '', reason: e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? e.code };
    }));
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const parsed = documentSchema.safeParse(raw);
  if (!parsed.success) {
    throw fileError(fileName, parsed.error.issues.map((issue) => {
      const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
      const reason = issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue.message;
      return problem(doc, lines, raw, issue.path, reason, key);
    }));
  }
  return new DocumentBuilder(doc, lines, text, parsed.data, options).build(fileName);
}

class DocumentBuilder {
  readonly #problems: PolicyProblem[] = [];
  /** Roles that could not be defined: whatever names them is skipped, not reported again. */
  readonly #failedRoles = new Set<string>();

  constructor(
    readonly doc: Document,
    readonly lines: LineCounter,
    readonly text: string,
    readonly data: PolicyDocument,
    readonly options: PolicyDocumentOptions,
  ) {}

  build(fileName: string): Authorizer {
    const { resourceTypes, ...rest } = this.options;
    const roles = new RoleManager();
    const policies = new PolicyEngine(resourceTypes === undefined ? {} : { resourceTypes });
    this.#defineRoles(roles);
    this.data.bindings.forEach((b, i) => {
      if (this.#failedRoles.has(b.role)) return;
      this.#attempt(['bindings', i], () => roles.bind(b.principal, b.role, b));
    });
    this.data.policies.forEach((p, i) => this.#attempt(['policies', i], () => policies.addPolicy(p)));
    if (this.#problems.length > 0) throw fileError(fileName, this.#problems);
    return new Authorizer({ ...rest, roles, policies });
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
      else if (!this.#attempt(['roles', i], () => roles.createRole(role.name, role))) this.#failedRoles.add(role.name);
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
      const inCondition = err.details.position as { offset: number; line: number; column: number } | undefined;
      if (field === 'condition' && inCondition !== undefined) {
        const exact = positionInScalar(this.doc, this.lines, this.text, path, inCondition.offset);
        if (exact !== undefined) this.#problems.push(this.#problemAt(path, reason, exact));
        else this.#report(path, `${reason} (line ${inCondition.line}, column ${inCondition.column} of the condition)`);
      } else {
        this.#report(path, reason);
      }
      return false;
    }
  }

  #report(path: (string | number)[], reason: string): void {
    this.#problems.push(problem(this.doc, this.lines, this.data, path, reason));
  }

  #problemAt(path: (string | number)[], reason: string, at: FilePosition): PolicyProblem {
    return { ...problem(this.doc, this.lines, this.data, path, reason), line: at.line, column: at.column };
  }
}

function problem(doc: Document, lines: LineCounter, data: unknown, path: readonly PropertyKey[], reason: string, key?: string): PolicyProblem {
  const at = positionOfPath(doc, lines, path, key);
  const item = itemName(data, path);
  return { ...(at === undefined ? {} : { line: at.line, column: at.column }), ...(item === undefined ? {} : { item }), path: path.map(String).join('.'), reason };
}

/** How an error names the role, binding or policy at `path`, from what the file says. */
function itemName(data: unknown, path: readonly PropertyKey[]): string | undefined {
  const [section, i] = path;
  if (typeof i !== 'number') return undefined;
  const entry = (data as Record<string, unknown[] | undefined> | null)?.[String(section)]?.[i] as Record<string, unknown> | undefined;
  const name = typeof entry?.name === 'string' ? JSON.stringify(entry.name) : `#${i + 1}`;
  switch (section) {
    case 'roles':
      return `role ${name}`;
    case 'policies':
      return `policy ${name}`;
    case 'bindings':
      return `binding #${i + 1}${typeof entry?.principal === 'string' && typeof entry.role === 'string' ? ` (${entry.principal} → ${entry.role})` : ''}`;
    default:
      return undefined;
  }
}

function fileError(fileName: string, problems: PolicyProblem[]): LangtrainError {
  const lines = problems.map((p) => {
    // The item names the entry; the field within it is enough beside it (`condition`, not `policies.2.condition`).
    const field = p.item === undefined ? p.path : p.path.split('.').slice(2).join('.');
    return `${fileName}${p.line === undefined ? '' : `:${p.line}:${p.column}`}: ${p.item === undefined ? '' : `${p.item}: `}${field === '' ? '' : `${field}: `}${p.reason}`;
  });
  const message = lines.length === 1 ? (lines[0] as string) : `${fileName}: ${lines.length} problems:\n${lines.join('\n')}`;
  return new LangtrainError('ERR_POLICY_INVALID', message, { file: fileName, problems });
}
