/** A deployment suggestion: the cheapest layout per GPU type, the engine settings, and why. */
import type { SuggestionView } from '../src/shared/protocol.ts';
import { el } from './dom.ts';

export function renderSuggestion(view: SuggestionView): HTMLElement {
  const section = el(
    'section',
    { className: 'card', id: 'suggestion' },
    el('h2', { text: 'Deployment suggestion' }),
    el('p', { className: 'explain', text: view.title }),
  );
  if (!view.ok) {
    section.append(
      el('p', { className: 'error', text: 'No layout on these GPU types meets the target:' }),
      el('ul', {}, ...view.reasons.map((r) => el('li', { text: r }))),
    );
    return section;
  }
  const head = el(
    'tr',
    {},
    ...['GPU', 'Layout', 'GPUs', '$/hour', 'Batch', 'ms/token', 'First token'].map((h) => el('th', { text: h })),
  );
  const rows = view.rows.map((r) =>
    el(
      'tr',
      { className: r.best ? 'best' : '' },
      el('td', { text: r.gpu }),
      el('td', { text: r.layout }),
      el('td', { className: 'num', text: String(r.gpus) }),
      el('td', { className: 'num', text: r.costPerHour.toFixed(2) }),
      el('td', { className: 'num', text: String(r.batch) }),
      el('td', { className: 'num', text: r.tpotMs.toFixed(1) }),
      el('td', { className: 'num', text: `${r.ttftMs} ms` }),
    ),
  );
  section.append(
    el('table', { className: 'suggestions' }, el('thead', {}, head), el('tbody', {}, ...rows)),
    el('h3', { text: 'Settings for the cheapest' }),
    ...view.commands.map((c) =>
      el(
        'div',
        { className: 'command' },
        el('span', { className: 'label', text: c.label }),
        el('code', { text: c.text }),
      ),
    ),
    el('h3', { text: 'Why' }),
    el('ul', {}, ...view.reasons.map((r) => el('li', { text: r }))),
    el(
      'details',
      {},
      el('summary', { text: 'Assumptions' }),
      el('ul', {}, ...view.assumptions.map((r) => el('li', { text: r }))),
    ),
  );
  return section;
}
