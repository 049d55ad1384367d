/** "Your own linear program": CPLEX LP text in, GLPK's solution, objective, slacks and duals out. */
import type { LpView } from '../src/shared/protocol.ts';
import { button, textArea } from './components/toolkit.ts';
import { el } from './dom.ts';
import { lpTableEditor } from './lpTableView.ts';
import { formatMs } from './scale.ts';

/** The textbook example: its optimum (x = 0, y = 4, cost 8) and duals (2, 0) are checked by hand in the e2e. */
export const EXAMPLE_LP = `Minimize
 cost: 3 x + 2 y
Subject To
 demand: x + y >= 4
 quality: x + 3 y >= 6
End
`;

const table = (id: string, head: string[], rows: string[][]) =>
  el(
    'table',
    { className: 'suggestions', id },
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { text: h })))),
    el(
      'tbody',
      {},
      ...rows.map((r) => el('tr', {}, ...r.map((c, i) => el('td', { className: i > 0 ? 'num' : '', text: c })))),
    ),
  );

function result(view: LpView): HTMLElement {
  if (!view.ok) return el('p', { className: 'error', id: 'lp-message', role: 'alert', text: view.message });
  return el(
    'div',
    { id: 'lp-result' },
    el('p', {
      className: 'ok',
      id: 'lp-message',
      text: `${view.status === 'optimal' ? 'Optimal' : 'Feasible'}: objective ${view.objective} (${formatMs(view.solveMs)}).`,
    }),
    table(
      'lp-values',
      ['Variable', 'Value'],
      view.values.map((v) => [v.name, String(v.value)]),
    ),
    table(
      'lp-rows',
      ['Constraint', 'Slack', 'Dual (shadow price)'],
      view.rows.map((r) => [r.name, String(r.slack), r.dual === undefined ? '-' : String(r.dual)]),
    ),
    ...(view.dualNote ? [el('p', { className: 'explain', text: view.dualNote })] : []),
  );
}

/** Built once per page; `show` puts a result in it. */
export function renderLp(solve: (text: string) => void): { element: HTMLElement; show(view: LpView): void } {
  const input = textArea(
    'Linear program (CPLEX LP text: Minimize/Maximize, Subject To, Bounds, General, End)',
    EXAMPLE_LP,
    8,
  );
  input.classList.add('wide');
  input.id = 'lp-text';
  const text = input as HTMLElement & { value: string };
  // The table writes the text on every valid edit; the text, edited by hand, rebuilds the table.
  const table = lpTableEditor(EXAMPLE_LP, (next) => (text.value = next));
  input.addEventListener('input', () => table.showText(text.value));
  const out = el('div', { id: 'lp-out' });
  const element = el(
    'section',
    { className: 'card', id: 'lp' },
    el('h2', { text: 'Your own linear program' }),
    el('p', {
      className: 'explain',
      text: "Any LP or MIP, solved by the same GLPK: the solution, the objective, each constraint's slack (0 = binding) and its dual value (how much the objective changes per unit of its right side). Type it in the table or as CPLEX LP text: each follows the other.",
    }),
    table.element,
    input,
    el(
      'div',
      { className: 'row' },
      button('Solve LP', () => solve(text.value), 'secondary'),
    ),
    out,
  );
  return { element, show: (view) => out.replaceChildren(result(view)) };
}
