import { describe, expect, it } from 'vitest';
import { intersectionOverUnion, mapPeerType, scoreSpans, type TypedSpan } from '../../../bench/fixtures/pii-scoring.js';

const span = (start: number, end: number, type: TypedSpan['type']): TypedSpan => ({ start, end, type });

describe('intersectionOverUnion', () => {
  it('divides the overlap by the union and is 0 for touching spans', () => {
    expect(intersectionOverUnion({ start: 20, end: 30 }, { start: 22, end: 30 })).toBeCloseTo(0.8); // 8 / 10
    expect(intersectionOverUnion({ start: 0, end: 10 }, { start: 5, end: 15 })).toBeCloseTo(1 / 3); // 5 / 15
    expect(intersectionOverUnion({ start: 0, end: 10 }, { start: 10, end: 20 })).toBe(0);
  });
});

describe('scoreSpans', () => {
  it('counts exact and partial matches of the right type, and a stray prediction as a false positive', () => {
    const score = scoreSpans([
      {
        gold: [span(0, 10, 'email'), span(20, 30, 'phone')],
        // email exact (IoU 1), phone IoU 8/10 = 0.8, an ssn where there is none.
        predicted: [span(0, 10, 'email'), span(22, 30, 'phone'), span(40, 50, 'ssn')],
      },
    ]);
    expect(score.perEntity.email).toMatchObject({ precision: 1, recall: 1, f1: 1, support: 1 });
    expect(score.perEntity.phone).toMatchObject({ precision: 1, recall: 1, f1: 1, support: 1 });
    // ssn: 0 TP of 1 predicted -> P = 0; no gold -> R = 0 (zero division); F1 = 0.
    expect(score.perEntity.ssn).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 0, falsePositives: 1 });
    // Micro: TP 2, predicted 3, gold 2 -> P = 2/3, R = 1, F1 = 2*(2/3)*1 / (5/3) = 0.8.
    expect(score.microPrecision).toBeCloseTo(2 / 3);
    expect(score.microRecall).toBe(1);
    expect(score.microF1).toBeCloseTo(0.8);
  });

  it('takes IoU exactly 0.5 as a match and 0.4 as a miss plus a false positive', () => {
    const half = scoreSpans([{ gold: [span(0, 10, 'iban')], predicted: [span(0, 5, 'iban')] }]); // 5 / 10
    expect(half.perEntity.iban).toMatchObject({ truePositives: 1, f1: 1 });
    const under = scoreSpans([{ gold: [span(0, 10, 'iban')], predicted: [span(0, 4, 'iban')] }]); // 4 / 10
    expect(under.perEntity.iban).toMatchObject({ truePositives: 0, falsePositives: 1, falseNegatives: 1, precision: 0, recall: 0, f1: 0 });
  });

  it('never matches across types', () => {
    const score = scoreSpans([{ gold: [span(0, 10, 'person_name')], predicted: [span(0, 10, 'address')] }]);
    expect(score.perEntity.person_name).toMatchObject({ recall: 0, falseNegatives: 1 });
    expect(score.perEntity.address).toMatchObject({ precision: 0, falsePositives: 1 });
    expect(score.microF1).toBe(0);
  });

  it('matches one to one: a prediction covering two gold names counts once', () => {
    // [0,20) has IoU 10/20 = 0.5 with both [0,10) and [10,20); it takes the first.
    // TP 1, FP 0, FN 1 -> P = 1, R = 0.5, F1 = 2*1*0.5 / 1.5 = 2/3.
    const score = scoreSpans([{ gold: [span(0, 10, 'person_name'), span(10, 20, 'person_name')], predicted: [span(0, 20, 'person_name')] }]);
    expect(score.perEntity.person_name).toMatchObject({ truePositives: 1, falsePositives: 0, falseNegatives: 1, precision: 1, recall: 0.5 });
    expect(score.perEntity.person_name.f1).toBeCloseTo(2 / 3);
  });

  it('pairs by falling IoU, so each prediction gets the gold span it overlaps most', () => {
    // X=[0,12): A=[0,10) 10/12 = 0.833, B=[8,20) 4/20 = 0.2. Y=[6,20): A 4/20 = 0.2, B 12/14 = 0.857.
    const score = scoreSpans([{ gold: [span(0, 10, 'address'), span(8, 20, 'address')], predicted: [span(0, 12, 'address'), span(6, 20, 'address')] }]);
    expect(score.perEntity.address).toMatchObject({ truePositives: 2, precision: 1, recall: 1 });
  });

  it('pools counts over records before dividing', () => {
    // Record 1: email TP. Record 2: email FN and a phone FP.
    // email: TP 1, predicted 1, gold 2 -> P = 1, R = 0.5, F1 = 2/3.
    // micro: TP 1, predicted 2, gold 2 -> P = R = F1 = 0.5.
    const score = scoreSpans([
      { gold: [span(0, 5, 'email')], predicted: [span(0, 5, 'email')] },
      { gold: [span(0, 5, 'email')], predicted: [span(10, 15, 'phone')] },
    ]);
    expect(score.perEntity.email.f1).toBeCloseTo(2 / 3);
    expect(score.perEntity.phone).toMatchObject({ precision: 0, support: 0 });
    expect(score.microF1).toBeCloseTo(0.5);
  });
});

describe('mapPeerType', () => {
  it("maps each peer's names to ours and leaves the rest out", () => {
    expect(mapPeerType('@openredaction/openredaction', 'PHONE_UK_MOBILE')).toBe('phone');
    expect(mapPeerType('@openredaction/openredaction', 'XBOX_GAMERTAG')).toBeNull();
    expect(mapPeerType('redact-pii', 'usSocialSecurityNumber')).toBe('ssn');
    expect(mapPeerType('redact-pii', 'zipcode')).toBeNull();
    expect(mapPeerType('@redactpii/node', 'PERSON_NAME')).toBe('person_name');
    expect(() => mapPeerType('presidio', 'PERSON')).toThrow(/no type map/);
  });
});
