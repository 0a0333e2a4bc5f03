import { randomBytes } from 'node:crypto';
import type { AuditEventInput, AuditSink } from '../../src/core/audit-sink.js';
import { Keyring } from '../../src/crypto/keyring/keyring.js';
import { keyringMigrations } from '../../src/crypto/keyring/schema.js';
import { kekFromKey } from '../../src/crypto/kms/local.js';
import { openStore, type Store } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';

/** An AuditSink that keeps what it is given, to check what secrets operations record. */
export class RecordedEvents implements AuditSink {
  readonly events: AuditEventInput[] = [];
  async record(event: AuditEventInput) {
    this.events.push(event);
    return { index: this.events.length - 1, id: String(this.events.length) };
  }
  types(): string[] {
    return this.events.map((e) => `${e.eventType}:${e.result}`);
  }
}

/** A store with the keyring's tables and a keyring over a fresh local KEK, as test/crypto/keyring.test.ts builds them. */
export async function openKeyedStore(url: string): Promise<{ store: Store; keyring: Keyring; keyringAudit: RecordedEvents }> {
  const store = await openStore(url);
  await migrate(store, 'crypto', keyringMigrations);
  const kekKey = randomBytes(32);
  const keyringAudit = new RecordedEvents();
  const keyring = new Keyring(store, async () => kekFromKey('file:test-kek', kekKey), keyringAudit);
  return { store, keyring, keyringAudit };
}

/** Set environment variables for a test; the returned function restores them. */
export function withEnv(values: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  Object.assign(process.env, values);
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** Every text an error exposes: message, stack, details, and its cause chain. */
export function errorTexts(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    const e = current as { message?: unknown; stack?: unknown; details?: unknown; cause?: unknown };
    parts.push(String(e.message), String(e.stack), JSON.stringify(e.details ?? null), String(current));
    current = e.cause;
  }
  return parts.join('\n');
}
