import { buildPolicyDocument } from '../policy-document.js';
import type { Authorizer } from '../authorizer.js';
import { AccessStore, BUILT_IN_ROLES, type AccessDocument, type AccessSnapshot } from './access-store.js';
import type { AuditSink } from '../../core/audit-sink.js';
import type { Store } from '../../store/database.js';

/** How often an instance asks the store whether roles, bindings or policies changed. */
export const REVISION_CHECK_MS = 1_000;

/**
 * Compile a document with the same validation as a policy file. Errors name the role, binding
 * or policy and the field (and the place inside a condition), never an offset in a serialized
 * form the caller never saw. The built-in roles go after the document's own (unless it restates
 * them), so a problem's `roles.<i>` is the caller's index.
 */
export function compileAccessDocument(document: AccessDocument): Authorizer {
  const builtIns = BUILT_IN_ROLES.filter((b) => !document.roles.some((r) => r.name === b.name));
  return buildPolicyDocument({ ...document, roles: [...document.roles, ...builtIns] });
}

/**
 * The deployment's authorization: the AccessStore's document compiled into an Authorizer, kept
 * current across server instances. `authorizer()` checks the store's revision at most once per
 * `REVISION_CHECK_MS` and recompiles when another instance (or this one) changed something, so
 * a change takes effect everywhere within about a second, while each decision stays an
 * in-memory call.
 */
export class AccessControl {
  readonly store: AccessStore;
  #current: { revision: number; authorizer: Authorizer };
  #checkedAtMs = 0;
  #refreshing: Promise<void> | null = null;

  private constructor(deps: { store: Store; audit: AuditSink }) {
    // Changes made through this store are adopted at once; other instances' within REVISION_CHECK_MS.
    this.store = new AccessStore({ ...deps, validate: (doc) => void compileAccessDocument(doc), changed: (snapshot) => this.#adopt(snapshot) });
    this.#current = { revision: -1, authorizer: compileAccessDocument({ roles: [], bindings: [], policies: [] }) };
  }

  static async open(deps: { store: Store; audit: AuditSink }): Promise<AccessControl> {
    const control = new AccessControl(deps);
    control.#adopt(await control.store.snapshot());
    return control;
  }

  /** The current Authorizer (recompiled if the store moved on since the last check). */
  async authorizer(): Promise<Authorizer> {
    if (Date.now() - this.#checkedAtMs >= REVISION_CHECK_MS) {
      this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = null));
      await this.#refreshing;
    }
    return this.#current.authorizer;
  }

  #adopt(snapshot: AccessSnapshot): void {
    if (snapshot.revision > this.#current.revision) this.#current = { revision: snapshot.revision, authorizer: compileSnapshot(snapshot) };
  }

  async #refresh(): Promise<void> {
    this.#checkedAtMs = Date.now();
    if ((await this.store.revision()) === this.#current.revision) return;
    this.#adopt(await this.store.snapshot());
  }
}

function compileSnapshot(snapshot: AccessSnapshot): Authorizer {
  return compileAccessDocument({ roles: snapshot.roles, bindings: snapshot.bindings.map(({ id: _, ...b }) => b), policies: snapshot.policies });
}
