import { createHash, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { jsonBytes, MAX_AUDIT_PAYLOAD_BYTES, pagesWithin } from '../core/audit-pages.js';
import type { AuditSink, JsonValue } from '../core/audit-sink.js';
import { isLangtrainError } from '../core/errors.js';
import type { AffectedArtifact, ErasureReport } from './erasure.js';

const canonicalize = createRequire(import.meta.url)('canonicalize') as (input: unknown) => string | undefined;

/** The event of an erasure's record that holds the artifacts past its first page. */
export const ERASURE_ARTIFACTS_EVENT = 'privacy.subject_erased.artifacts';

/**
 * Bytes of JSON one artifact takes at most in the record: one with more names than that (a
 * digest can be named without limit) is listed as several entries of the same digest and `via`,
 * its names spread over them, so a page always has room for an entry.
 */
const MAX_ENTRY_BYTES = 16 * 1024;

/**
 * What the erasure's record commits to: `sha256:` and the hex SHA-256 of the affected artifacts
 * as RFC 8785 canonical JSON (`[{"digest","names","via"}, …]`), sorted by digest, each one's names
 * sorted. The list itself is the report's (which the caller keeps) or the record's pages put
 * together (entries of one digest merged): either is proved to be the one erased by hashing it
 * again, and a page that went missing shows.
 */
export function affectedArtifactsDigest(artifacts: readonly AffectedArtifact[]): string {
  const sorted = artifacts.map(({ digest, names, via }) => ({ digest, names: [...names].sort(), via })).sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  return `sha256:${createHash('sha256').update(canonicalize(sorted)!).digest('hex')}`;
}

/** The artifacts as the record lists them: in the report's order, one entry each, or several for one with very many names. */
export function artifactEntries(artifacts: readonly AffectedArtifact[]): AffectedArtifact[] {
  return artifacts.flatMap(({ digest, names, via }) => {
    const entry = { digest, names: [...names], via };
    if (jsonBytes(entry) <= MAX_ENTRY_BYTES) return [entry];
    return pagesWithin(names, MAX_ENTRY_BYTES - (jsonBytes({ ...entry, names: [] }) - 2)).map((part) => ({ digest, names: part, via }));
  });
}

/** The erasure was recorded, but not every page of its list of artifacts: the pages from `recorded + 1` on are missing. */
export class ArtifactPagesUnrecorded extends Error {
  constructor(
    readonly recorded: number,
    readonly pages: number,
    options: { cause: unknown },
  ) {
    super(`pages ${recorded + 1} to ${pages} of the erasure's list of affected artifacts could not be recorded`, options);
    this.name = 'ArtifactPagesUnrecorded';
  }
}

/**
 * Writes the erasure's `privacy.subject_erased` record: counts, `affectedArtifactCount` and
 * `affectedArtifactsSha256` (affectedArtifactsDigest), and the artifacts themselves. An audit
 * event holds at most MAX_AUDIT_PAYLOAD_BYTES, and a subject may be in thousands of data sets, so
 * a list that does not fit is paged: the record holds the first page, an `erasureId` and
 * `affectedArtifactPages`, and each further page is a `privacy.subject_erased.artifacts` event
 * (`erasureId`, `page`, `pages`, `affectedArtifacts`). Those carry no user id: they hold digests
 * and artifact names, which name no one, and are found by the `erasureId`. An Art. 17 request
 * must be answerable in full (Art. 5(2), and Art. 19's notice to each recipient needs the list),
 * so the list is kept in the log, not only in the reply the caller may lose.
 */
export async function recordErasure(userId: string, deps: { audit: AuditSink; actor: string }, report: ErasureReport, failure?: unknown): Promise<void> {
  const { consentRecords, consentActorsErased, lineageActorsErased, budgetActorsErased, lineageLinks, keysShredded, keysShreddedBefore, affectedArtifacts, auditKeysShredded, auditEntriesInClear, auditEntriesNamingAsActor } = report;
  const entries = artifactEntries(affectedArtifacts);
  const digest = affectedArtifactsDigest(affectedArtifacts);
  const record = (eventType: string, additionalData: { [key: string]: JsonValue }, subject: string | null) =>
    deps.audit.record({
      eventType,
      ...(subject === null ? {} : { userId: subject, ...(deps.audit.sealsPayloads ? { sensitive: ['userId' as const] } : {}) }),
      result: failure === undefined ? 'success' : 'failure',
      level: 'basic',
      additionalData,
    });
  const summary = (listed: AffectedArtifact[]): { [key: string]: JsonValue } => ({
    actor: deps.actor,
    consentRecords,
    consentActorsErased,
    lineageActorsErased,
    ...(budgetActorsErased === undefined ? {} : { budgetActorsErased }),
    lineageLinks,
    keysShredded: [...keysShredded],
    keysShreddedBefore: [...keysShreddedBefore],
    affectedArtifacts: listed as unknown as JsonValue[],
    affectedArtifactCount: affectedArtifacts.length,
    affectedArtifactsSha256: digest,
    ...(auditKeysShredded === undefined ? {} : { auditKeysShredded }),
    ...(auditEntriesInClear === undefined ? {} : { auditEntriesInClear }),
    ...(auditEntriesNamingAsActor === undefined ? {} : { auditEntriesNamingAsActor }),
    ...(failure === undefined ? {} : { reason: isLangtrainError(failure) ? failure.code : 'ERR_INTERNAL' }),
  });
  const whole = summary(entries);
  if (jsonBytes(whole) <= MAX_AUDIT_PAYLOAD_BYTES) {
    await record('privacy.subject_erased', whole, userId);
    return;
  }
  const erasureId = randomUUID();
  // page numbers measured at their widest: no more pages than entries, and a first one that may be empty
  const widest = entries.length + 1;
  const head = { ...summary([]), erasureId, affectedArtifactPages: widest };
  const tail = { erasureId, page: widest, pages: widest, affectedArtifacts: [] };
  const pages = pagesWithin(entries, MAX_AUDIT_PAYLOAD_BYTES - (jsonBytes(tail) - 2), MAX_AUDIT_PAYLOAD_BYTES - (jsonBytes(head) - 2));
  await record('privacy.subject_erased', { ...summary(pages[0]!), erasureId, affectedArtifactPages: pages.length }, userId);
  for (let page = 1; page < pages.length; page++) {
    try {
      await record(ERASURE_ARTIFACTS_EVENT, { erasureId, page: page + 1, pages: pages.length, affectedArtifacts: pages[page] as unknown as JsonValue[] }, null);
    } catch (err) {
      throw new ArtifactPagesUnrecorded(page, pages.length, { cause: err });
    }
  }
}
