import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HELDOUT_SET_PATH } from '../../../bench/fixtures/pii-heldout.js';
import { LABELLED_SET_PATH } from '../../../bench/fixtures/pii-testset.js';
import { CONTEXT_BOOST, NEGATIVE_CONTEXT_PENALTY } from '../../../src/privacy/pii/context-scoring.js';
import { EntityScanner, scannerFor, type ExplainedCandidate } from '../../../src/privacy/pii/entity-scanner.js';
import { PIIDetector } from '../../../src/privacy/pii/pii-detector.js';

const textsOf = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { text: string }).text);

const reportedOf = (explained: readonly ExplainedCandidate[]) =>
  explained.filter((c) => c.outcome === 'reported').map(({ start, end, type, score, recognizer }) => ({ start, end, type, score, recognizer }));

describe('EntityScanner.explain', () => {
  it('reports exactly what scan finds, on every text of the labelled and held-out sets, at both thresholds', () => {
    const texts = [...textsOf(LABELLED_SET_PATH), ...textsOf(HELDOUT_SET_PATH)];
    expect(texts.length).toBeGreaterThan(2000);
    for (const threshold of [0.5, 0.95]) {
      const scanner = scannerFor({ threshold });
      let dropped = 0;
      for (const text of texts) {
        const explained = scanner.explain(text);
        expect(reportedOf(explained)).toEqual(scanner.scan(text));
        dropped += explained.filter((c) => c.outcome !== 'reported').length;
        for (const c of explained) {
          if (c.outcome !== 'overlapped') continue;
          const winner = explained[c.overlappedBy]!;
          expect(winner.outcome).toBe('reported');
          expect(winner.start < c.end && c.start < winner.end).toBe(true);
        }
      }
      // the sets hold hard negatives and overlapping candidates: some that a recognizer found, the scan let go
      expect(dropped).toBeGreaterThan(10);
    }
  });

  it('names the context word that lifted a score and the negative one that lowered it', () => {
    const scanner = scannerFor({ types: ['phone'], threshold: 0.5 });
    const cuedText = 'Her new phone: 415 555 0132';
    const [cued] = scanner.explain(cuedText);
    expect(cued).toMatchObject({ type: 'phone', contextWord: 'phone', negativeContextWord: null, outcome: 'reported' });
    expect(cued!.score).toBeCloseTo(Math.min(1, cued!.baseScore + CONTEXT_BOOST), 10);

    const invoiceText = 'invoice 4111 1111 1111 1111';
    const [invoice] = scannerFor({ types: ['credit_card'], threshold: 0.5 }).explain(invoiceText);
    expect(invoice).toMatchObject({ type: 'credit_card', negativeContextWord: 'invoice' });
    expect(invoice!.score).toBeCloseTo(Math.max(0, invoice!.baseScore - NEGATIVE_CONTEXT_PENALTY), 10);
    expect(scannerFor({ types: ['credit_card'], threshold: 0.5 }).scan(invoiceText).length).toBe(invoice!.outcome === 'reported' ? 1 : 0);
  });

  it('says which candidates the threshold and the allow list dropped', () => {
    const text = 'mail ada@example.org or 415 555 0132';
    const strict = new EntityScanner({ threshold: 1, types: ['email', 'phone'] }).explain(text);
    expect(strict.some((c) => c.outcome === 'below_threshold' && c.type === 'phone')).toBe(true);
    const allowed = new EntityScanner({ threshold: 0.5, types: ['email'], allowList: ['ada@example.org'] }).explain(text);
    expect(allowed).toEqual([expect.objectContaining({ type: 'email', start: 5, end: 20, outcome: 'allow_listed' })]);
  });

  it('points an overlapped candidate at the reported finding that won, and reports deny-list values', () => {
    const text = 'IBAN DE89 3704 0044 0532 0130 00 for Jane Roe';
    const explained = new EntityScanner({ threshold: 0.5, denyList: { person_name: ['Jane Roe'] } }).explain(text);
    const losers = explained.filter((c) => c.outcome === 'overlapped');
    expect(losers.length).toBeGreaterThan(0);
    for (const loser of losers) {
      if (loser.outcome !== 'overlapped') continue;
      const winner = explained[loser.overlappedBy]!;
      expect(winner.outcome).toBe('reported');
      expect(winner.start < loser.end && loser.start < winner.end).toBe(true);
    }
    expect(explained.find((c) => c.recognizer === 'person_name.deny_list')).toMatchObject({ type: 'person_name', start: 37, end: 45, baseScore: 1, score: 1, outcome: 'reported' });
  });

  it('gives offsets in the original text when invisible and full-width characters were folded', () => {
    const text = 'mail a\u200Bda@example.org, card ４１１１ １１１１ １１１１ １１１１';
    const scanner = scannerFor({ threshold: 0.5 });
    const reported = reportedOf(scanner.explain(text));
    expect(reported).toEqual(scanner.scan(text));
    expect(reported.map((f) => text.slice(f.start, f.end))).toEqual(['a\u200Bda@example.org', '４１１１ １１１１ １１１１ １１１１']);
  });

  it("is PIIDetector.explain with the detector's settings, as docs/privacy.md shows it", () => {
    const detector = new PIIDetector({ confidenceThreshold: 0.95 });
    expect(detector.explain('Invoice 4111 1111 1111 1111 for Ada Lovelace')).toEqual([
      { start: 8, end: 27, type: 'credit_card', recognizer: 'credit_card.luhn', baseScore: 1, score: 0.6, cued: false, contextWord: null, negativeContextWord: 'invoice', outcome: 'below_threshold' },
      { start: 32, end: 44, type: 'person_name', recognizer: 'person_name.lexicon', baseScore: 0.85, score: 0.95, cued: true, contextWord: null, negativeContextWord: null, outcome: 'reported' },
    ]);
    expect(() => detector.explain(42 as unknown as string)).toThrow('PIIDetector.explain takes a string');
  });
});
