/**
 * The user's LP as a table: a column per variable (name, objective coefficient, integer or not), a
 * row per constraint (a coefficient per variable, <=, >= or =, the right side), each field checked
 * as it is typed with the reason beside it. Every valid edit rewrites the LP text (the text is what
 * is solved); an edit of the text rebuilds the table, or says why the table cannot show it.
 */
import {
  LP_SENSES,
  lpFieldId,
  lpTableDraft,
  lpTableFromText,
  lpTableToText,
  readLpTableDraft,
  type LpSense,
  type LpTableDraft,
} from '../src/core/solver/lpTable.ts';
import { el } from './dom.ts';

interface Field {
  id: string;
  label: string;
  value: string;
  set: (value: string) => void;
}

/** A free-new name: x3 after x1 and x2, c3 after c1 and c2. */
function freshName(prefix: string, taken: string[]): string {
  for (let n = taken.length + 1; ; n++) if (!taken.includes(`${prefix}${n}`)) return `${prefix}${n}`;
}

function select<T extends string>(id: string, label: string, options: [T, string][], value: T, set: (v: T) => void) {
  const element = el(
    'select',
    { id, className: 'field' },
    ...options.map(([v, text]) => Object.assign(el('option', { text }), { value: v })),
  );
  element.value = value;
  element.setAttribute('aria-label', label);
  element.addEventListener('change', () => set(element.value as T));
  return element;
}

/**
 * The table for `text`; `changed` gets the LP text after each edit that leaves the table valid.
 * `showText(text)` is called when the text was edited by hand.
 */
export function lpTableEditor(
  text: string,
  changed: (text: string) => void,
): { element: HTMLElement; showText(text: string): void } {
  let draft: LpTableDraft | undefined;
  const host = el('div', { className: 'form-table', id: 'lp-table-host' });
  const note = el('p', { className: 'explain', id: 'lp-table-note' });
  const errorSpans = new Map<string, { input: HTMLElement; span: HTMLElement }>();
  const tableError = el('p', { className: 'field-error', id: 'lp-table-error' });

  /** Shows each field's reason; with `emit`, a valid table rewrites the text. */
  const check = (emit = true) => {
    if (!draft) return;
    const { table, errors } = readLpTableDraft(draft);
    for (const [id, { input, span }] of errorSpans) {
      span.textContent = errors[id] ?? '';
      input.setAttribute('aria-invalid', String(errors[id] !== undefined));
    }
    tableError.textContent = errors.table ?? '';
    if (table && emit) changed(lpTableToText(table));
  };

  const input = (field: Field): HTMLElement => {
    const box = el('input', { id: field.id, className: 'field' });
    box.type = 'text';
    box.value = field.value;
    box.setAttribute('aria-label', field.label);
    const span = el('span', { className: 'field-error', id: `${field.id}-error` });
    span.setAttribute('aria-live', 'polite');
    box.setAttribute('aria-describedby', span.id);
    box.addEventListener('input', () => {
      field.set(box.value);
      check();
    });
    errorSpans.set(field.id, { input: box, span });
    return el('td', {}, box, span);
  };

  const link = (text: string, label: string, act: () => void) => {
    const button = el('button', { className: 'link-button', text });
    button.setAttribute('aria-label', label);
    button.addEventListener('click', () => {
      act();
      build();
      check();
    });
    return button;
  };

  function build(): void {
    errorSpans.clear();
    if (!draft) return;
    const d = draft;
    const vars = d.variables;
    const head = el(
      'tr',
      {},
      el('th', { text: 'Variable' }),
      ...vars.map((v, j) =>
        input({
          id: lpFieldId.variableName(j),
          label: `Name of variable ${j + 1}`,
          value: v.name,
          set: (value) => (v.name = value),
        }),
      ),
      el('th', { text: 'Sense' }),
      el('th', { text: 'Right side' }),
      el('th', { text: '' }),
    );
    const direction = select(
      'lp-direction',
      'Minimize or maximize',
      [
        ['min', 'Minimize'],
        ['max', 'Maximize'],
      ],
      d.direction,
      (value) => {
        d.direction = value;
        check();
      },
    );
    const objectiveName = input({
      id: lpFieldId.objectiveName,
      label: 'Name of the objective',
      value: d.objectiveName,
      set: (value) => (d.objectiveName = value),
    });
    const objective = el(
      'tr',
      {},
      el('td', {}, direction, ...objectiveName.childNodes),
      ...vars.map((v, j) =>
        input({
          id: lpFieldId.cost(j),
          label: `Objective coefficient of ${v.name || `variable ${j + 1}`}`,
          value: v.cost,
          set: (value) => (v.cost = value),
        }),
      ),
    );
    const integers = el(
      'tr',
      {},
      el('th', { text: 'Integer' }),
      ...vars.map((v, j) => {
        const box = el('input', { id: `lp-var-${j}-integer` });
        box.type = 'checkbox';
        box.checked = v.integer;
        box.setAttribute('aria-label', `${v.name || `Variable ${j + 1}`} takes whole values only`);
        box.addEventListener('change', () => {
          v.integer = box.checked;
          check();
        });
        return el('td', {}, box);
      }),
    );
    const rows = d.rows.map((r, i) =>
      el(
        'tr',
        {},
        input({
          id: lpFieldId.rowName(i),
          label: `Name of constraint ${i + 1}`,
          value: r.name,
          set: (value) => (r.name = value),
        }),
        ...vars.map((v, j) =>
          input({
            id: lpFieldId.coef(i, j),
            label: `Coefficient of ${v.name || `variable ${j + 1}`} in ${r.name || `constraint ${i + 1}`}`,
            value: r.coefs[j] ?? '',
            set: (value) => (r.coefs[j] = value),
          }),
        ),
        el(
          'td',
          {},
          select<LpSense>(
            `lp-row-${i}-sense`,
            `Sense of ${r.name || `constraint ${i + 1}`}`,
            LP_SENSES.map((s) => [s, s]),
            r.sense,
            (value) => {
              r.sense = value;
              check();
            },
          ),
        ),
        input({
          id: lpFieldId.rhs(i),
          label: `Right side of ${r.name || `constraint ${i + 1}`}`,
          value: r.rhs,
          set: (value) => (r.rhs = value),
        }),
        el(
          'td',
          {},
          link('Remove', `Remove constraint ${r.name || i + 1}`, () => d.rows.splice(i, 1)),
        ),
      ),
    );
    const removeVariables = el(
      'tr',
      {},
      el('td'),
      ...vars.map((v, j) =>
        el(
          'td',
          {},
          link('Remove', `Remove variable ${v.name || j + 1}`, () => {
            vars.splice(j, 1);
            for (const r of d.rows) r.coefs.splice(j, 1);
          }),
        ),
      ),
    );
    const table = el(
      'table',
      { className: 'fields', id: 'lp-table' },
      el('caption', { text: 'The LP as a table (x >= 0 for every variable)' }),
      el('thead', {}, head),
      el('tbody', {}, objective, integers, ...rows, removeVariables),
    );
    host.replaceChildren(
      table,
      tableError,
      el(
        'div',
        { className: 'row' },
        link('Add a variable', 'Add a variable', () => {
          vars.push({
            name: freshName(
              'x',
              vars.map((v) => v.name),
            ),
            cost: '0',
            integer: false,
          });
          for (const r of d.rows) r.coefs.push('');
        }),
        link('Add a constraint', 'Add a constraint', () =>
          d.rows.push({
            name: freshName(
              'c',
              d.rows.map((r) => r.name),
            ),
            coefs: vars.map(() => ''),
            sense: '>=',
            rhs: '0',
          }),
        ),
      ),
    );
  }

  function showText(next: string): void {
    const read = lpTableFromText(next);
    if (read.ok) {
      draft = lpTableDraft(read.value);
      note.textContent = '';
      build();
      // Not written back: the text being typed stays as the user types it.
      check(false);
      host.hidden = false;
    } else {
      draft = undefined;
      note.textContent = `The table can't show this LP: ${read.message}. Edit it as text below.`;
      host.hidden = true;
    }
  }

  showText(text);
  return { element: el('div', { id: 'lp-table-editor' }, note, host), showText };
}
