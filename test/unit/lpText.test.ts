import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dualProgram, parseLpText, slackOf } from '../../src/core/solver/lpText.ts';

const EXAMPLE = `Minimize
 cost: 3 x + 2 y
Subject To
 demand: x + y >= 4
 quality: x + 3 y >= 6
End
`;

describe("the user's LP in CPLEX LP text", () => {
  test('parses the objective, rows, bounds and integer variables', () => {
    const parsed = parseLpText(
      'Maximize\n obj: 3x + 2 y - 0.5 z\nSubject To\n c1: x + y <= 4\n c2: x + 3 y = 6\n x - z >= -1\nBounds\n 0 <= x <= 3\n z free\nGeneral\n y\nEnd\n',
    );
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
    const p = parsed.value;
    assert.equal(p.objective.direction, 'max');
    assert.deepEqual(p.objective.vars, [
      { name: 'x', coef: 3 },
      { name: 'y', coef: 2 },
      { name: 'z', coef: -0.5 },
    ]);
    assert.deepEqual(
      p.subjectTo.map((c) => [c.name, c.bound]),
      [
        ['c1', { kind: 'upTo', ub: 4 }],
        ['c2', { kind: 'equal', value: 6 }],
        ['c3', { kind: 'atLeast', lb: -1 }],
      ],
    );
    assert.deepEqual(p.bounds, [
      { name: 'x', bound: { kind: 'between', lb: 0, ub: 3 } },
      { name: 'z', bound: { kind: 'free' } },
    ]);
    assert.deepEqual(p.generals, ['y']);
    // Integers or bounds: no dual is formed.
    assert.equal(dualProgram(p), undefined);
  });

  test('says where it cannot read', () => {
    const bad = parseLpText('Minimize\n obj: 3 x\nSubject To\n c1: x + y\nEnd');
    assert.deepEqual(bad, {
      ok: false,
      message: 'line 4: a constraint is "name: 2 x + y >= 4" (the number on the right)',
    });
    assert.equal(parseLpText('x + y >= 1').ok, false);
  });

  test('the dual of min 3x + 2y, x + y >= 4, x + 3y >= 6 is max 4 y0 + 6 y1, y0 + y1 <= 3, y0 + 3 y1 <= 2, y >= 0', () => {
    const parsed = parseLpText(EXAMPLE);
    assert.ok(parsed.ok);
    const dual = dualProgram(parsed.value)!;
    assert.equal(dual.objective.direction, 'max');
    assert.deepEqual(dual.objective.vars, [
      { name: 'y0', coef: 4 },
      { name: 'y1', coef: 6 },
    ]);
    assert.deepEqual(
      dual.subjectTo.map((c) => [c.vars, c.bound]),
      [
        [
          [
            { name: 'y0', coef: 1 },
            { name: 'y1', coef: 1 },
          ],
          { kind: 'upTo', ub: 3 },
        ],
        [
          [
            { name: 'y0', coef: 1 },
            { name: 'y1', coef: 3 },
          ],
          { kind: 'upTo', ub: 2 },
        ],
      ],
    );
    // By hand the optimum is x = 0, y = 4: demand binds (slack 0), quality has 0 + 12 - 6 = 6 to spare.
    const [demand, quality] = parsed.value.subjectTo;
    assert.equal(slackOf(demand!, { x: 0, y: 4 }), 0);
    assert.equal(slackOf(quality!, { x: 0, y: 4 }), 6);
  });
});
