/** The user's own linear program: parsed from CPLEX LP text, solved by GLPK, with slacks and duals. */
import { errorMessage } from '../../core/errors.ts';
import type { LpView } from '../../shared/protocol.ts';
import type { WorkbenchDeps } from './deps.ts';

const round = (v: number) => Math.round(v * 1e6) / 1e6;

export async function solveUserLp(deps: WorkbenchDeps, text: string): Promise<LpView> {
  const { parseLpText, slackOf, dualProgram, variablesOf } = await import('../../core/solver/lpText.ts');
  const parsed = parseLpText(text);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  const program = parsed.value;
  const options = { timeLimitSeconds: deps.timeLimitSeconds(), mipGap: 0 };
  try {
    const primal = await deps.solver().solve(program, options);
    if (primal.status !== 'optimal' && primal.status !== 'feasible')
      return { ok: false, message: `GLPK: the program is ${primal.status}.` };
    const dual = dualProgram(program);
    // GLPK solves the dual too: its optimal values are the constraints' shadow prices.
    const duals = dual ? await deps.solver().solve(dual, options) : undefined;
    const dualOk = duals?.status === 'optimal';
    return {
      ok: true,
      status: primal.status,
      objective: round(primal.objective),
      values: variablesOf(program).map((name) => ({ name, value: round(primal.values[name] ?? 0) })),
      rows: program.subjectTo.map((c, i) => ({
        name: c.name,
        slack: round(slackOf(c, primal.values)),
        ...(dualOk ? { dual: round(duals.values[`y${i}`] ?? 0) } : {}),
      })),
      ...(dualOk
        ? {}
        : {
            dualNote: dual
              ? 'The dual did not solve to optimality: no shadow prices.'
              : 'Shadow prices are shown for continuous programs with x >= 0 and one-sided rows (no Bounds, General or Binary sections).',
          }),
      solveMs: round(primal.solveMs),
    };
  } catch (error) {
    return { ok: false, message: errorMessage(error) };
  }
}
