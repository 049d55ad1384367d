/**
 * The user's LP as a table: variables as columns (objective coefficient, integer or not) and
 * constraint rows (a coefficient per variable, a sense, a right-hand side). The CPLEX LP text stays
 * what is solved: the table writes it (`lpTableToText`), and reads it back where the LP is simple
 * enough to be a table (`lpTableFromText`: no Bounds or Binary sections), saying why not otherwise.
 * The page keeps the table as typed (`LpTableDraft`, strings) and `readLpTableDraft` says, per
 * field, what is wrong with it.
 */
import type { Result } from '../result.ts';
import { parseLpText, variablesOf } from './lpText.ts';

export type LpSense = '<=' | '>=' | '=';
export const LP_SENSES: readonly LpSense[] = ['<=', '>=', '='];

export interface LpTable {
  direction: 'min' | 'max';
  /** The objective's label in the text ("cost: 3 x + 2 y"). */
  objectiveName: string;
  variables: { name: string; cost: number; integer: boolean }[];
  /** `coefs[j]` is the coefficient of `variables[j]`. */
  rows: { name: string; coefs: number[]; sense: LpSense; rhs: number }[];
}

/** The table as typed: every number still text, so a half-typed field can say what is wrong. */
export interface LpTableDraft {
  direction: 'min' | 'max';
  objectiveName: string;
  variables: { name: string; cost: string; integer: boolean }[];
  rows: { name: string; coefs: string[]; sense: LpSense; rhs: string }[];
}

/** Past these the text is the better editor; the table says so. */
export const LP_TABLE_LIMITS = { variables: 30, rows: 30 };

const NAME = /^[A-Za-z_][\w.]*$/;
/** Words the LP format reads as section headers (or keywords) on a line of their own. */
const KEYWORDS =
  /^(minimize|minimum|min|maximize|maximum|max|subject|such|st|bounds?|generals?|integers?|binary|binaries|end|free)$/i;

/** Ids of the table's fields: the page gives its inputs these ids, and errors come keyed by them. */
export const lpFieldId = {
  objectiveName: 'lp-objective-name',
  variableName: (j: number) => `lp-var-${j}-name`,
  cost: (j: number) => `lp-var-${j}-cost`,
  rowName: (i: number) => `lp-row-${i}-name`,
  coef: (i: number, j: number) => `lp-row-${i}-coef-${j}`,
  rhs: (i: number) => `lp-row-${i}-rhs`,
};

function nameProblem(name: string, what: string, taken: string[]): string | undefined {
  if (name === '') return `Name the ${what}.`;
  if (!NAME.test(name)) return 'A letter or _ first, then letters, digits, _ or . (no spaces).';
  if (KEYWORDS.test(name)) return `"${name}" is a word of the LP format: pick another name.`;
  if (taken.filter((n) => n === name).length > 1) return 'Listed twice.';
  return undefined;
}

/** A typed number: empty reads as `empty` (0 for a coefficient), else a finite decimal. */
function readNumber(text: string, empty: number | undefined): number | string {
  const trimmed = text.trim();
  if (trimmed === '') return empty ?? 'A number.';
  // Number() also takes "0x10", "Infinity" and " "; the LP format takes plain decimals only.
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return 'A number (such as 2, -0.5 or 1e3).';
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : 'A number (such as 2, -0.5 or 1e3).';
}

/** The table, or the reason beside each field that is wrong (keys: `lpFieldId`; `table` for the whole). */
export function readLpTableDraft(draft: LpTableDraft): { table?: LpTable; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const fail = (id: string, reason: string | undefined) => {
    if (reason !== undefined) errors[id] = reason;
  };
  if (draft.variables.length === 0) errors.table = 'Add a variable.';
  if (draft.rows.length === 0) errors.table = 'Add a constraint.';
  if (draft.variables.length > LP_TABLE_LIMITS.variables || draft.rows.length > LP_TABLE_LIMITS.rows)
    errors.table = `The table holds ${LP_TABLE_LIMITS.variables} variables and ${LP_TABLE_LIMITS.rows} constraints: write larger LPs as text.`;
  fail(lpFieldId.objectiveName, nameProblem(draft.objectiveName.trim(), 'objective', []));
  const variableNames = draft.variables.map((v) => v.name.trim());
  const rowNames = draft.rows.map((r) => r.name.trim());
  const variables = draft.variables.map((v, j) => {
    fail(lpFieldId.variableName(j), nameProblem(variableNames[j]!, 'variable', variableNames));
    const cost = readNumber(v.cost, 0);
    if (typeof cost === 'string') fail(lpFieldId.cost(j), cost);
    return { name: variableNames[j]!, cost: typeof cost === 'number' ? cost : 0, integer: v.integer };
  });
  const rows = draft.rows.map((r, i) => {
    fail(lpFieldId.rowName(i), nameProblem(rowNames[i]!, 'constraint', rowNames));
    const coefs = draft.variables.map((_, j) => {
      const coef = readNumber(r.coefs[j] ?? '', 0);
      if (typeof coef === 'string') fail(lpFieldId.coef(i, j), coef);
      return typeof coef === 'number' ? coef : 0;
    });
    // A row of zeros has no left side to write ("0 >= 4" is not a constraint the format reads).
    if (coefs.every((c) => c === 0) && !Object.keys(errors).some((k) => k.startsWith(`lp-row-${i}-coef-`)))
      fail(lpFieldId.rhs(i), 'Give the row a coefficient other than 0.');
    const rhs = readNumber(r.rhs, undefined);
    if (typeof rhs === 'string') fail(lpFieldId.rhs(i), rhs);
    return { name: rowNames[i]!, coefs, sense: r.sense, rhs: typeof rhs === 'number' ? rhs : 0 };
  });
  if (Object.keys(errors).length > 0) return { errors };
  return {
    table: { direction: draft.direction, objectiveName: draft.objectiveName.trim(), variables, rows },
    errors,
  };
}

/** "3 x - y + 0.5 z": the terms with a non-zero coefficient (all of them when `keepZeros`). */
function expression(names: string[], coefs: number[], keepZeros: boolean): string {
  const parts: string[] = [];
  coefs.forEach((coef, j) => {
    if (coef === 0 && !keepZeros) return;
    const size = Math.abs(coef);
    const sign = coef < 0 ? '-' : '+';
    const term = `${size === 1 ? '' : `${size} `}${names[j]}`;
    parts.push(parts.length === 0 ? (sign === '-' ? `- ${term}` : term) : `${sign} ${term}`);
  });
  return parts.join(' ');
}

/** The table as CPLEX LP text (every variable is in the objective, with 0 where it costs nothing). */
export function lpTableToText(table: LpTable): string {
  const names = table.variables.map((v) => v.name);
  const integers = table.variables.filter((v) => v.integer).map((v) => v.name);
  return [
    table.direction === 'max' ? 'Maximize' : 'Minimize',
    ` ${table.objectiveName}: ${expression(
      names,
      table.variables.map((v) => v.cost),
      true,
    )}`,
    'Subject To',
    ...table.rows.map((r) => ` ${r.name}: ${expression(names, r.coefs, false)} ${r.sense} ${r.rhs}`),
    ...(integers.length ? ['General', ` ${integers.join(' ')}`] : []),
    'End',
    '',
  ].join('\n');
}

/** The LP text as a table, or why the table cannot show it (the text is then the only editor). */
export function lpTableFromText(text: string): Result<LpTable> {
  const parsed = parseLpText(text);
  if (!parsed.ok) return { ok: false, message: `the text does not parse: ${parsed.message}` };
  const program = parsed.value;
  if (program.bounds?.length) return { ok: false, message: 'it has a Bounds section (the table has x >= 0 only)' };
  if (program.binaries?.length) return { ok: false, message: 'it has Binary variables (use General in the table)' };
  const names = [...new Set([...variablesOf(program), ...(program.generals ?? [])])];
  if (names.length > LP_TABLE_LIMITS.variables || program.subjectTo.length > LP_TABLE_LIMITS.rows)
    return {
      ok: false,
      message: `it is larger than ${LP_TABLE_LIMITS.variables} variables or ${LP_TABLE_LIMITS.rows} constraints`,
    };
  const keyword = [...names, program.objective.name, ...program.subjectTo.map((c) => c.name)].find((n) =>
    KEYWORDS.test(n),
  );
  if (keyword) return { ok: false, message: `the name "${keyword}" is a word of the LP format` };
  const coefOf = (terms: { name: string; coef: number }[], name: string) =>
    terms.filter((t) => t.name === name).reduce((sum, t) => sum + t.coef, 0);
  const integers = new Set(program.generals ?? []);
  const rows: LpTable['rows'] = [];
  for (const c of program.subjectTo) {
    const b = c.bound;
    // parseLpText writes one-sided rows only; a two-sided one would come from elsewhere.
    if (b.kind === 'between') return { ok: false, message: `the constraint "${c.name}" has two sides` };
    const [sense, rhs]: [LpSense, number] =
      b.kind === 'upTo' ? ['<=', b.ub] : b.kind === 'atLeast' ? ['>=', b.lb] : ['=', b.value];
    rows.push({ name: c.name, coefs: names.map((n) => coefOf(c.vars, n)), sense, rhs });
  }
  return {
    ok: true,
    value: {
      direction: program.objective.direction,
      objectiveName: program.objective.name,
      variables: names.map((name) => ({
        name,
        cost: coefOf(program.objective.vars, name),
        integer: integers.has(name),
      })),
      rows,
    },
  };
}

/** The table as the page shows it to be typed over (a coefficient of 0 in a row is an empty cell). */
export function lpTableDraft(table: LpTable): LpTableDraft {
  return {
    direction: table.direction,
    objectiveName: table.objectiveName,
    variables: table.variables.map((v) => ({ name: v.name, cost: String(v.cost), integer: v.integer })),
    rows: table.rows.map((r) => ({
      name: r.name,
      coefs: r.coefs.map((c) => (c === 0 ? '' : String(c))),
      sense: r.sense,
      rhs: String(r.rhs),
    })),
  };
}
