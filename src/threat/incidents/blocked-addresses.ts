import { invalidInput } from '../../core/errors.js';
import type { Store } from '../../store/database.js';
import { canonicalIp } from '../ip-address.js';
import { BLOCKED_ADDRESSES_TABLE } from '../schema.js';

export interface BlockedAddress {
  address: string;
  blockedAt: string;
  expiresAt: string;
  /** The incident whose playbook blocked it. */
  incidentId: string | null;
}

/** How long the server trusts its copy of the list: a block reaches every instance within it. */
const REFRESH_MS = 2_000;

/**
 * Addresses `block_source_ip` blocked, until they expire. The server asks `blockedUntil` for
 * every request, from a copy of the list refreshed every 2 s (one query, not one per request),
 * so all instances on a store see a block within that time.
 */
export class BlockedAddresses {
  readonly #store: Store;
  readonly #clock: () => Date;
  #copy: Map<string, BlockedAddress> | null = null;
  #copiedAtMs = 0;
  #refreshing: Promise<void> | null = null;

  constructor(store: Store, clock: () => Date) {
    this.#store = store;
    this.#clock = clock;
  }

  async block(address: string, untilMs: number, incidentId: string | null): Promise<BlockedAddress> {
    const canonical = canonicalAddress(address);
    const now = this.#clock().toISOString();
    const expiresAt = new Date(untilMs).toISOString();
    await this.#store.writeTransaction('threat-blocked', (tx) =>
      tx
        .insertInto(BLOCKED_ADDRESSES_TABLE)
        .values({ address: canonical, blocked_at: now, expires_at: expiresAt, incident_id: incidentId })
        .onConflict((oc) => oc.column('address').doUpdateSet({ blocked_at: now, expires_at: expiresAt, incident_id: incidentId }))
        .execute(),
    );
    this.#copy = null;
    return { address: canonical, blockedAt: now, expiresAt, incidentId };
  }

  /** Lifts a block; whether there was one. */
  async unblock(address: string): Promise<boolean> {
    const canonical = canonicalAddress(address);
    const result = await this.#store.writeTransaction('threat-blocked', (tx) => tx.deleteFrom(BLOCKED_ADDRESSES_TABLE).where('address', '=', canonical).executeTakeFirst());
    this.#copy = null;
    return Number(result.numDeletedRows) > 0;
  }

  /** The blocks in force, soonest to expire first. */
  async list(): Promise<BlockedAddress[]> {
    const rows = await this.#store.db.selectFrom(BLOCKED_ADDRESSES_TABLE).selectAll().where('expires_at', '>', this.#clock().toISOString()).orderBy('expires_at').execute();
    return rows.map((r) => ({ address: r.address, blockedAt: r.blocked_at, expiresAt: r.expires_at, incidentId: r.incident_id ?? null }));
  }

  /** When the block on `address` ends, or null when it is not blocked. */
  async blockedUntil(address: string): Promise<string | null> {
    const nowMs = this.#clock().getTime();
    if (this.#copy === null || nowMs - this.#copiedAtMs >= REFRESH_MS) {
      this.#refreshing ??= this.list().then(
        (blocks) => {
          this.#copy = new Map(blocks.map((b) => [b.address, b]));
          this.#copiedAtMs = nowMs;
          this.#refreshing = null;
        },
        (err: unknown) => {
          this.#refreshing = null;
          throw err;
        },
      );
      await this.#refreshing;
    }
    // an address the server cannot read as IP (none should reach here) is looked up as it is
    const block = this.#copy!.get(canonicalIp(address) ?? address);
    return block !== undefined && Date.parse(block.expiresAt) > nowMs ? block.expiresAt : null;
  }
}

function canonicalAddress(address: string): string {
  const canonical = canonicalIp(address);
  if (canonical === null) throw invalidInput(`not an IP address: ${JSON.stringify(address.slice(0, 64))}`);
  return canonical;
}
