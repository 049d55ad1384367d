/**
 * The user's LP as a table and as CPLEX LP text, converted both ways, checked on a textbook LP
 * with a published optimum: the Wyndor Glass Co. product mix (Hillier & Lieberman, Introduction to
 * Operations Research, section 3.1): maximize Z = 3 x1 + 5 x2 subject to x1 <= 4, 2 x2 <= 12,
 * 3 x1 + 2 x2 <= 18, x >= 0; optimum x1 = 2, x2 = 6, Z = 36; shadow prices y = (0, 3/2, 1)
 * (the same book, on the dual and sensitivity analysis).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dualProgram, parseLpText, slackOf } from '../../src/core/solver/lpText.ts';
import {
  lpTableDraft,
  lpTableFromText,
  lpTableToText,
  readLpTableDraft,
  type LpTable,
  type LpTableDraft,
} from '../../src/core/solver/lpTable.ts';

const WYNDOR: LpTable = {
  direction: 'max',
  objectiveName: 'profit',
  variables: [
    { name: 'x1', cost: 3, integer: false },
    { name: 'x2', cost: 5, integer: false },
  ],
  rows: [
    { name: 'plant1', coefs: [1, 0], sense: '<=', rhs: 4 },
    { name: 'plant2', coefs: [0, 2], sense: '<=', rhs: 12 },
    { name: 'plant3', coefs: [3, 2], sense: '<=', rhs: 18 },
  ],
};

const WYNDOR_TEXT = `Maximize
 profit: 3 x1 + 5 x2
Subject To
 plant1: x1 <= 4
 plant2: 2 x2 <= 12
 plant3: 3 x1 + 2 x2 <= 18
End
`;

describe('the LP as a table', () => {
  test('the Wyndor table writes the LP text as one would type it', () => {
    assert.equal(lpTableToText(WYNDOR), WYNDOR_TEXT);
  });

  test("the text it writes is the textbook's LP: at (2, 6) the profit is 36, plant 1 has 2 hours to spare, plants 2 and 3 none", () => {
    const parsed = parseLpText(lpTableToText(WYNDOR));
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
    const optimum = { x1: 2, x2: 6 };
    const objective = parsed.value.objective.vars.reduce((s, t) => s + t.coef * optimum[t.name as 'x1' | 'x2'], 0);
    assert.equal(objective, 36);
    assert.deepEqual(
      parsed.value.subjectTo.map((c) => slackOf(c, optimum)),
      [2, 0, 0],
    );
    // Its dual at the book's shadow prices (0, 3/2, 1): feasible, both rows binding, value 4 x 0 + 12 x 1.5 + 18 x 1 = 36.
    const dual = dualProgram(parsed.value)!;
    const y = { y0: 0, y1: 1.5, y2: 1 };
    assert.equal(
      dual.objective.vars.reduce((s, t) => s + t.coef * y[t.name as 'y0' | 'y1' | 'y2'], 0),
      36,
    );
    assert.deepEqual(
      dual.subjectTo.map((c) => slackOf(c, y)),
      [0, 0],
    );
  });

  test('LP text typed by hand reads back as the same table', () => {
    const typed =
      'Maximize\n profit: 3x1 + 5 x2\nSubject To\n plant1: x1 <= 4\n plant2: 2 x2 <= 12\n plant3: 3 x1 + 2 x2 <= 18\nEnd';
    assert.deepEqual(lpTableFromText(typed), { ok: true, value: WYNDOR });
  });

  test('signs, equalities, >= rows and integer variables survive the round trip', () => {
    const table: LpTable = {
      direction: 'min',
      objectiveName: 'cost',
      variables: [
        { name: 'a', cost: -1, integer: true },
        { name: 'b', cost: 0, integer: false },
        { name: 'c', cost: 0.25, integer: true },
      ],
      rows: [
        { name: 'r1', coefs: [1, -1, 0], sense: '>=', rhs: -2 },
        { name: 'r2', coefs: [0, 1, -3], sense: '=', rhs: 0 },
      ],
    };
    const text = lpTableToText(table);
    assert.equal(
      text,
      'Minimize\n cost: - a + 0 b + 0.25 c\nSubject To\n r1: a - b >= -2\n r2: b - 3 c = 0\nGeneral\n a c\nEnd\n',
    );
    assert.deepEqual(lpTableFromText(text), { ok: true, value: table });
  });

  test("says why the table can't show an LP", () => {
    const reason = (text: string) => {
      const r = lpTableFromText(text);
      return r.ok ? 'shown' : r.message;
    };
    assert.equal(
      reason('Minimize\n obj: x\nSubject To\n c: x >= 1\nBounds\n x <= 3\nEnd'),
      'it has a Bounds section (the table has x >= 0 only)',
    );
    assert.equal(
      reason('Minimize\n obj: x\nSubject To\n c: x >= 1\nBinary\n x\nEnd'),
      'it has Binary variables (use General in the table)',
    );
    assert.match(reason('Minimize\n obj: x\nSubject To\n c: x + \nEnd'), /^the text does not parse: line 4/);
  });
});

describe('the table as typed: reasons beside the fields', () => {
  const draft = (): LpTableDraft => lpTableDraft(WYNDOR);

  test("the Wyndor table as the page shows it: a row's 0 is an empty cell", () => {
    assert.deepEqual(draft().rows[0], { name: 'plant1', coefs: ['1', ''], sense: '<=', rhs: '4' });
    assert.deepEqual(readLpTableDraft(draft()), { table: WYNDOR, errors: {} });
  });

  test('a wrong number, a twice-used name, a format word, an empty right side and a row of zeros each say why', () => {
    const d = draft();
    d.variables[1]!.cost = '5 dollars';
    d.variables[1]!.name = 'x1';
    d.rows[0]!.name = 'end';
    d.rows[1]!.rhs = '';
    d.rows[2]!.coefs = ['', '0'];
    const { table, errors } = readLpTableDraft(d);
    assert.equal(table, undefined);
    assert.deepEqual(errors, {
      'lp-var-0-name': 'Listed twice.',
      'lp-var-1-name': 'Listed twice.',
      'lp-var-1-cost': 'A number (such as 2, -0.5 or 1e3).',
      'lp-row-0-name': '"end" is a word of the LP format: pick another name.',
      'lp-row-1-rhs': 'A number.',
      'lp-row-2-rhs': 'Give the row a coefficient other than 0.',
    });
  });

  test('"Infinity" and hex are not numbers of the LP format', () => {
    const d = draft();
    d.rows[0]!.rhs = 'Infinity';
    d.rows[1]!.coefs = ['0x10', '2'];
    assert.deepEqual(readLpTableDraft(d).errors, {
      'lp-row-0-rhs': 'A number (such as 2, -0.5 or 1e3).',
      'lp-row-1-coef-0': 'A number (such as 2, -0.5 or 1e3).',
    });
  });
});
