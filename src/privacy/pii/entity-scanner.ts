import { createHash } from 'node:crypto';
import { ContextWords } from './context-scoring.js';
import { ENTITY_TYPES, type EntityType, type Finding } from './entity-types.js';
import { foldForScan } from './full-width.js';
import type { FoldedText } from './invisible-chars.js';
import type { Candidate, Recognizer } from './recognizer.js';
import { defaultRecognizers } from './recognizers/index.js';
import { allowListTest, denyListMatcher, DenyListMatcher, type ScanLists } from './scan-lists.js';

/** What a scan looks for: plain data, so it can be sent to worker threads. */
export interface ScanSettings extends ScanLists {
  /** Default: all eleven types. */
  types?: readonly EntityType[];
  /** Findings scoring below this (after context words) are dropped. */
  threshold: number;
}

/**
 * Runs the recognizers of the chosen types over a text and resolves what they found into one
 * list of non-overlapping findings.
 *
 * Texts are read with full-width digits, letters and punctuation as ASCII (full-width.ts), and
 * without the zero-width characters inside values (invisible-chars.ts); findings' offsets are
 * the original text's, covering any zero-width character inside them.
 * Per candidate: the recognizer's base score, +0.35 for one of its context words in the 48
 * characters before it on the same line, -0.4 for a negative one ("order", "version"); a cue the
 * recognizer saw itself (Candidate.cued) counts as a context word up to 0.95, unless a negative
 * word is there (ContextWords.adjust); then the threshold. A candidate whose value is on the
 * allow list goes next (scan-lists.ts); the deny lists' values, at score 1, never do. Where
 * candidates overlap, the higher score wins, then the longer span (an IBAN over the account
 * number inside it), then the earlier one.
 */
export class EntityScanner {
  readonly types: readonly EntityType[];
  readonly threshold: number;
  readonly #active: ReadonlyArray<{ recognizer: Recognizer; context: ContextWords }>;
  /** The deployment's own values: at score 1, no context words, and the allow list does not apply. */
  readonly #denyList: DenyListMatcher | null;
  readonly #allowed: ((value: string) => boolean) | null;

  constructor(settings: ScanSettings, recognizers: readonly Recognizer[] = defaultRecognizers()) {
    this.types = [...new Set(settings.types ?? ENTITY_TYPES)];
    this.threshold = settings.threshold;
    this.#allowed = allowListTest(settings);
    this.#denyList = denyListMatcher(settings, this.types);
    const wanted = new Set<EntityType>(this.types);
    this.#active = recognizers.filter((r) => wanted.has(r.type)).map((recognizer) => ({ recognizer, context: new ContextWords(recognizer) }));
  }

  /** The findings in `text`, sorted by start, none overlapping. */
  scan(text: string): Finding[] {
    return this.scanAll([text])[0]!;
  }

  /**
   * The findings of each text, as `scan` gives them. Recognizer by recognizer over the whole
   * list rather than text by text: each recognizer's compiled regexes and tables (the name
   * lexicon alone is 130,000 words) stay in the CPU caches while it runs, measured at 72 MB/s
   * text by text against 80 for 200 texts (a 512 KB batch) and 87 for 1,000, on prose.
   */
  scanAll(texts: readonly string[]): Finding[][] {
    const candidates = texts.map((): Finding[] => []);
    const folded = texts.map(foldForScan);
    // deny lists first: of equal candidates the first found is kept, and theirs are the deployment's own word
    // each text's candidates start as its deny-list values (not push(...): a megabyte of listed words gives more than a call takes)
    if (this.#denyList !== null) folded.forEach((text, i) => (candidates[i] = denied(this.#denyList!, text, i)));
    for (const { recognizer, context } of this.#active) {
      for (let i = 0; i < folded.length; i++) {
        for (const found of findIn(recognizer, folded[i]!.text, i)) {
          const judged = this.#judged(found, context, folded[i]!, texts[i]!);
          if (typeof judged !== 'string') candidates[i]!.push(judged);
        }
      }
    }
    return candidates.map(resolveOverlaps);
  }

  /**
   * A recognizer's candidate in `text` (as `folded`) after context words, the threshold and the
   * allow list: a finding at `text`'s offsets, or why it is none. The one place that decides,
   * for scans and explanations alike.
   */
  #judged(found: Candidate, context: ContextWords, folded: FoldedText, text: string): Finding | 'below_threshold' | 'allow_listed' {
    const cued = found.cued === true;
    if (context.ceiling(found.score, cued) < this.threshold) return 'below_threshold'; // no context word could lift it
    const score = context.adjust(folded.text, found.start, found.score, cued);
    if (score < this.threshold) return 'below_threshold';
    const { offsets } = folded;
    const start = offsets === undefined ? found.start : offsets.start(found.start);
    const end = offsets === undefined ? found.end : offsets.end(found.end);
    if (this.#allowed !== null && this.#allowed(text.slice(start, end))) return 'allow_listed';
    return { start, end, type: found.type, score, recognizer: found.recognizer };
  }

  /**
   * Every candidate the recognizers and deny lists found in `text`, with how its score was made
   * and what became of it: reported (what `scan` gives), below the threshold, on the allow list,
   * or overlapped by a reported finding that won (named by its index in the list). For tuning a
   * threshold, context words or lists on one text, as Presidio's decision process is; sorted by
   * start. Slower than `scan`: every candidate's score is worked out.
   */
  explain(text: string): ExplainedCandidate[] {
    const folded = foldForScan(text);
    const at = (offset: number, side: 'start' | 'end') => (folded.offsets === undefined ? offset : folded.offsets[side](offset));
    const judged: Array<{ scored: ScoredCandidate; finding: Finding | 'below_threshold' | 'allow_listed' }> = [];
    if (this.#denyList !== null) {
      for (const finding of denied(this.#denyList, folded, 0)) judged.push({ scored: { ...finding, baseScore: finding.score, cued: false, contextWord: null, negativeContextWord: null }, finding });
    }
    for (const { recognizer, context } of this.#active) {
      for (const found of findIn(recognizer, folded.text, 0)) {
        const cued = found.cued === true;
        const { type, recognizer: name, score: baseScore } = found;
        const score = context.adjust(folded.text, found.start, baseScore, cued);
        const scored = { start: at(found.start, 'start'), end: at(found.end, 'end'), type, recognizer: name, baseScore, score, cued, ...context.wordsBefore(folded.text, found.start) };
        judged.push({ scored, finding: this.#judged(found, context, folded, text) });
      }
    }
    const kept = resolveOverlaps(judged.flatMap(({ finding }) => (typeof finding === 'string' ? [] : [finding])));
    const reported = new Set(kept);
    judged.sort((a, b) => a.scored.start - b.scored.start || b.scored.end - a.scored.end);
    const indexOf = new Map(judged.map(({ finding }, i) => [finding, i]));
    return judged.map(({ scored, finding }): ExplainedCandidate => {
      if (typeof finding === 'string') return { ...scored, outcome: finding };
      if (reported.has(finding)) return { ...scored, outcome: 'reported' };
      return { ...scored, outcome: 'overlapped', overlappedBy: indexOf.get(firstOverlapping(kept, finding))! };
    });
  }

}

/** The deny lists' values in `folded` (text `textIndex` of a batch), at the original text's offsets. */
function denied(denyList: DenyListMatcher, { text, offsets }: FoldedText, textIndex: number): Finding[] {
  return findIn(denyList, text, textIndex).map(({ start, end, type, score, recognizer }) =>
    offsets === undefined ? { start, end, type, score, recognizer } : { start: offsets.start(start), end: offsets.end(end), type, score, recognizer },
  );
}

/** A candidate as `EntityScanner.explain` shows it: where, what, and how it scored. */
export interface ScoredCandidate {
  start: number;
  end: number;
  type: EntityType;
  /** `<type>.deny_list` for a deny list's value. */
  recognizer: string;
  /** The recognizer's score, before context words. */
  baseScore: number;
  /** After context words and the recognizer's own cue: the score a reported finding has. */
  score: number;
  /** Whether the recognizer saw a cue of its own (a column header, a cue phrase), which counts as a context word up to 0.95. */
  cued: boolean;
  /** The first of the recognizer's context words in the window before the candidate, lower-cased; null: none. */
  contextWord: string | null;
  negativeContextWord: string | null;
}

/** What became of a candidate: reported as `scan` reports it, dropped, or beaten by the reported finding at index `overlappedBy` of the same list. */
export type ExplainedCandidate = ScoredCandidate & ({ outcome: 'reported' | 'below_threshold' | 'allow_listed' } | { outcome: 'overlapped'; overlappedBy: number });

/**
 * A recognizer failed on one text of a batch (a regex out of stack on a pathological line, a
 * bug): which text and which recognizer, so that the caller can name the record rather than
 * fail the whole job with an unexplained error. The message holds no part of the text.
 */
export class TextScanError extends Error {
  constructor(
    readonly textIndex: number,
    readonly recognizer: string,
    cause: unknown,
  ) {
    super(`the ${recognizer} recognizer failed on it (${cause instanceof Error ? cause.name : typeof cause}); please report how the text is shaped`, { cause });
  }
}

function findIn(recognizer: Recognizer | DenyListMatcher, text: string, textIndex: number): Candidate[] {
  try {
    return recognizer.find(text);
  } catch (err) {
    throw new TextScanError(textIndex, recognizer instanceof DenyListMatcher ? 'deny_list' : recognizer.name, err);
  }
}

/** Scanners already built, by settings; the oldest goes first past MAX_BUILT_SCANNERS. */
const builtScanners = new Map<string, EntityScanner>();
const MAX_BUILT_SCANNERS = 64;

/**
 * The scanner for these settings, built once: building one compiles a context-word pattern
 * per recognizer (~50 µs measured), three times the cost of scanning a short text, so a server
 * answering one text a request must not build one a request. Scanners hold no per-scan state.
 */
export function scannerFor(settings: ScanSettings): EntityScanner {
  const key = `${[...new Set(settings.types ?? ENTITY_TYPES)].sort().join(',')}|${settings.threshold}${listsKey(settings)}`;
  let scanner = builtScanners.get(key);
  if (scanner === undefined) {
    if (builtScanners.size >= MAX_BUILT_SCANNERS) builtScanners.delete(builtScanners.keys().next().value!);
    scanner = new EntityScanner(settings);
    builtScanners.set(key, scanner);
  }
  return scanner;
}

/** The lists' part of a scanner's key: a digest, so that a cache of scanners does not hold every list twice. */
function listsKey({ allowList, allowListMatch, denyList }: ScanLists): string {
  if (allowList === undefined && allowListMatch === undefined && denyList === undefined) return '';
  return `|${createHash('sha256').update(JSON.stringify([allowList ?? null, allowListMatch ?? null, denyList ?? null])).digest('base64url')}`;
}

/**
 * The first of `kept` (findings sorted by start, none overlapping, so sorted by end too) that
 * overlaps `lost`, a candidate that lost to one of them: a binary search for the first ending
 * after `lost` starts.
 */
function firstOverlapping(kept: readonly Finding[], lost: Finding): Finding {
  let low = 0;
  let high = kept.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (kept[mid]!.end <= lost.start) low = mid + 1;
    else high = mid;
  }
  return kept[low]!;
}

/** Greedy by preference (score, then length, then position); the kept ones sorted by start. */
export function resolveOverlaps(candidates: Finding[]): Finding[] {
  if (candidates.length <= 1) return candidates;
  const byPreference = [...candidates].sort((a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start);
  return candidates.length <= MAX_INSERTED ? keptByInsertion(byPreference) : keptByCoverage(byPreference);
}

/**
 * Up to this many candidates, kept findings are inserted in order; past it, covered offsets are
 * marked instead: insertion moves the kept ones after the insertion point, O(n²) in all, and a
 * text of a few megabytes with 400,000 candidates took 5 s.
 */
const MAX_INSERTED = 64;

/**
 * Kept findings stay sorted by start and never overlap, so a candidate can only collide with its
 * neighbours at the insertion point.
 */
function keptByInsertion(byPreference: readonly Finding[]): Finding[] {
  const kept: Finding[] = [];
  for (const candidate of byPreference) {
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (kept[mid]!.start < candidate.start) low = mid + 1;
      else high = mid;
    }
    const before = kept[low - 1];
    const after = kept[low];
    if ((before && before.end > candidate.start) || (after && after.start < candidate.end)) continue;
    kept.splice(low, 0, candidate);
  }
  return kept;
}

/** One byte per offset the candidates span, set where a kept finding lies: each candidate costs its own length. */
function keptByCoverage(byPreference: readonly Finding[]): Finding[] {
  let from = Infinity;
  let to = 0;
  for (const { start, end } of byPreference) {
    from = Math.min(from, start);
    to = Math.max(to, end);
  }
  const covered = new Uint8Array(to - from);
  const kept: Finding[] = [];
  for (const candidate of byPreference) {
    const start = candidate.start - from;
    const end = candidate.end - from;
    if (covered.subarray(start, end).includes(1)) continue;
    covered.fill(1, start, end);
    kept.push(candidate);
  }
  return kept.sort((a, b) => a.start - b.start);
}
