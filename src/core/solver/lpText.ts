/**
 * The user's own linear program in CPLEX LP text (the subset people type: one objective line, one
 * line per constraint, bounds, general and binary variables), parsed into glpk.js's JSON form; and
 * its dual, which GLPK solves to give the constraints' shadow prices (glpk.js does not return them).
 */
import type { Result } from '../result.ts';

import type { Constraint, LinearProgram, Term, VariableBound } from './workerProtocol.ts';

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const err = <T>(message: string): Result<T> => ({ ok: false, message });

const NAME = /^[A-Za-z_][\w.]*$/;
const MAX_LP_TEXT = 100_000;

/** "3 x + 2.5 y - z" -> terms (repeated names add up). */
function parseExpression(text: string): Term[] | string {
  const terms = new Map<string, number>();
  const compact = text.replace(/\s+/g, ' ').trim();
  if (compact === '') return 'an empty expression';
  const term = /\s*([+-])?\s*(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)?\s*\*?\s*([A-Za-z_][\w.]*)\s*/y;
  let at = 0;
  while (at < compact.length) {
    term.lastIndex = at;
    const m = term.exec(compact);
    if (!m || m[0].length === 0) return `cannot read "${compact.slice(at, at + 20)}"`;
    const coef = (m[1] === '-' ? -1 : 1) * (m[2] === undefined ? 1 : Number(m[2]));
    terms.set(m[3]!, (terms.get(m[3]!) ?? 0) + coef);
    at = term.lastIndex;
  }
  return [...terms].map(([name, coef]) => ({ name, coef }));
}

type Section = 'objective' | 'constraints' | 'bounds' | 'general' | 'binary' | 'end';
const SECTIONS: [RegExp, Section][] = [
  [/^(minimize|minimum|min|maximize|maximum|max)$/i, 'objective'],
  [/^(subject to|such that|s\.t\.|st)$/i, 'constraints'],
  [/^bounds?$/i, 'bounds'],
  [/^(generals?|integers?)$/i, 'general'],
  [/^(binary|binaries)$/i, 'binary'],
  [/^end$/i, 'end'],
];

function parseBound(line: string): VariableBound | string {
  const free = /^([A-Za-z_][\w.]*)\s+free$/i.exec(line);
  if (free) return { name: free[1]!, bound: { kind: 'free' } };
  const between = /^(-?[\d.eE+-]+)\s*<=\s*([A-Za-z_][\w.]*)\s*<=\s*(-?[\d.eE+-]+)$/.exec(line);
  if (between) return { name: between[2]!, bound: { kind: 'between', lb: Number(between[1]), ub: Number(between[3]) } };
  const one = /^([A-Za-z_][\w.]*)\s*(<=|>=|=)\s*(-?[\d.eE+-]+)$/.exec(line);
  if (one) {
    const v = Number(one[3]);
    const bound =
      one[2] === '<='
        ? { kind: 'between' as const, lb: 0, ub: v }
        : one[2] === '>='
          ? { kind: 'atLeast' as const, lb: v }
          : { kind: 'equal' as const, value: v };
    return { name: one[1]!, bound };
  }
  return `cannot read the bound "${line}" (write "0 <= x <= 4", "x >= 1", "x = 2" or "x free")`;
}

export function parseLpText(text: string): Result<LinearProgram> {
  if (text.length > MAX_LP_TEXT) return err(`the LP is longer than ${MAX_LP_TEXT} characters`);
  const program: LinearProgram = { name: 'lp', objective: { direction: 'min', name: 'obj', vars: [] }, subjectTo: [] };
  const bounds: VariableBound[] = [];
  let section: Section | undefined;
  let sawObjective = false;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.replace(/\\.*$/, '').trim();
    if (line === '') continue;
    const where = `line ${index + 1}`;
    const header = SECTIONS.find(([pattern]) => pattern.test(line));
    if (header) {
      section = header[1];
      if (section === 'objective') program.objective.direction = /^max/i.test(line) ? 'max' : 'min';
      continue;
    }
    const labelled = /^([A-Za-z_][\w.]*)\s*:\s*(.*)$/.exec(line);
    const [label, body] = labelled ? [labelled[1]!, labelled[2]!] : [undefined, line];
    switch (section) {
      case 'objective': {
        const vars = parseExpression(body);
        if (typeof vars === 'string') return err(`${where}: ${vars}`);
        program.objective = { ...program.objective, name: label ?? 'obj', vars };
        sawObjective = true;
        break;
      }
      case 'constraints': {
        const m = /^(.*?)(<=|=<|>=|=>|=)\s*(-?[\d.]+(?:[eE][+-]?\d+)?)$/.exec(body);
        if (!m) return err(`${where}: a constraint is "name: 2 x + y >= 4" (the number on the right)`);
        const vars = parseExpression(m[1]!);
        if (typeof vars === 'string') return err(`${where}: ${vars}`);
        const rhs = Number(m[3]);
        const bound: Constraint['bound'] =
          m[2] === '='
            ? { kind: 'equal', value: rhs }
            : m[2]!.includes('<')
              ? { kind: 'upTo', ub: rhs }
              : { kind: 'atLeast', lb: rhs };
        program.subjectTo.push({ name: label ?? `c${program.subjectTo.length + 1}`, vars, bound });
        break;
      }
      case 'bounds': {
        const b = parseBound(body);
        if (typeof b === 'string') return err(`${where}: ${b}`);
        bounds.push(b);
        break;
      }
      case 'general':
      case 'binary': {
        const names = body.split(/\s+/);
        const bad = names.find((n) => !NAME.test(n));
        if (bad) return err(`${where}: "${bad}" is not a variable name`);
        if (section === 'general') program.generals = [...(program.generals ?? []), ...names];
        else program.binaries = [...(program.binaries ?? []), ...names];
        break;
      }
      case 'end':
        return err(`${where}: text after "End"`);
      case undefined:
        return err(`${where}: start with "Minimize" or "Maximize"`);
    }
  }
  if (!sawObjective)
    return err('no objective: start with "Minimize" or "Maximize" and a line such as "obj: 3 x + 2 y"');
  if (program.subjectTo.length === 0) return err('no constraints: add a "Subject To" section');
  if (bounds.length) program.bounds = bounds;
  return ok(program);
}

/** The variables of a program, in the order they first appear. */
export function variablesOf(program: LinearProgram): string[] {
  return [...new Set([...program.objective.vars, ...program.subjectTo.flatMap((c) => c.vars)].map((t) => t.name))];
}

/** A constraint's slack at `values`: how far its left side is from its right side (0 = binding). */
export function slackOf(constraint: Constraint, values: Record<string, number>): number {
  const lhs = constraint.vars.reduce((sum, t) => sum + t.coef * (values[t.name] ?? 0), 0);
  const b = constraint.bound;
  switch (b.kind) {
    case 'upTo':
      return b.ub - lhs;
    case 'atLeast':
      return lhs - b.lb;
    case 'equal':
      return Math.abs(lhs - b.value);
    case 'between':
      return Math.min(lhs - b.lb, b.ub - lhs);
  }
}

/**
 * The dual of a continuous program whose variables are all >= 0 (no Bounds section): one dual
 * variable per constraint, its sign by the row's sense; GLPK's optimal dual values are the shadow
 * prices (how much the objective moves per unit of the right side). Undefined where the program
 * has integer variables, bounds or a two-sided row (their duals are not this simple).
 */
export function dualProgram(program: LinearProgram): LinearProgram | undefined {
  if (program.bounds?.length || program.generals?.length || program.binaries?.length) return undefined;
  if (program.subjectTo.some((c) => c.bound.kind === 'between')) return undefined;
  const min = program.objective.direction === 'min';
  const rhs = (c: Constraint) =>
    c.bound.kind === 'upTo'
      ? c.bound.ub
      : c.bound.kind === 'atLeast'
        ? c.bound.lb
        : c.bound.kind === 'equal'
          ? c.bound.value
          : 0;
  const y = (i: number) => `y${i}`;
  const cost = new Map(program.objective.vars.map((t) => [t.name, t.coef]));
  const bounds: VariableBound[] = program.subjectTo.map((c, i) => {
    // min: >= rows have y >= 0, <= rows y <= 0; max: the other way; = rows are free.
    if (c.bound.kind === 'equal') return { name: y(i), bound: { kind: 'free' } };
    const positive = (c.bound.kind === 'atLeast') === min;
    return { name: y(i), bound: positive ? { kind: 'atLeast', lb: 0 } : { kind: 'upTo', ub: 0 } };
  });
  return {
    name: 'dual',
    objective: {
      direction: min ? 'max' : 'min',
      name: 'dual',
      vars: program.subjectTo.map((c, i) => ({ name: y(i), coef: rhs(c) })),
    },
    subjectTo: variablesOf(program).map((x) => ({
      name: `d_${x}`,
      vars: program.subjectTo.flatMap((c, i) =>
        c.vars.filter((t) => t.name === x).map((t) => ({ name: y(i), coef: t.coef })),
      ),
      bound: min ? { kind: 'upTo', ub: cost.get(x) ?? 0 } : { kind: 'atLeast', lb: cost.get(x) ?? 0 },
    })),
    bounds,
  };
}
