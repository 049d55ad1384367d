/**
 * The plan's problem as a form: a GPU pool table and a models table, each field checked as it is
 * typed with the reason beside it. The JSON stays the source of truth (the "advanced" view shows
 * it): every edit of a field rewrites the JSON, every edit of the JSON rebuilds the form, and keys
 * the form does not show (maxModelLen, demand's token counts, ...) are kept as they are.
 */
import { findGpu, GPU_CATALOG, plannableGiB } from '../src/core/catalog/gpus.ts';
import { el } from './dom.ts';
import { formatProblem } from './problemText.ts';

type Row = Record<string, unknown>;
interface Problem extends Row {
  gpus: Row[];
  models: Row[];
}

/** A field's check: the reason it is wrong, or undefined. `row` is the whole row, `all` its table. */
type Check = (value: unknown, row: Row, all: Row[]) => string | undefined;

interface Column {
  key: string;
  /** A nested key (demand.requestsPerSecond) is written as [outer, inner]. */
  path?: [string, string];
  header: string;
  kind: 'text' | 'number';
  list?: string;
  placeholder?: (row: Row) => string;
  check: Check;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const whole = (v: unknown): v is number => isNumber(v) && Number.isInteger(v) && v >= 0;
const catalogGpu = (row: Row) => (typeof row.type === 'string' ? findGpu(row.type) : undefined);
/**
 * The built-in model ids, sent by the extension (the page does not bundle the model catalog: its
 * first paint stays small). Until they arrive a model id is not checked here (the solve checks it).
 */
let modelIds = new Set<string>();
export function setCatalogModels(ids: readonly string[]): void {
  modelIds = new Set(ids);
}

const GPU_COLUMNS: Column[] = [
  {
    key: 'type',
    header: 'GPU type',
    kind: 'text',
    list: 'catalog-gpus',
    check: (v, _row, all) =>
      typeof v !== 'string' || v === ''
        ? 'Name the GPU type (a catalog id such as h100-sxm brings its memory and price).'
        : all.filter((r) => r.type === v).length > 1
          ? 'Listed twice.'
          : undefined,
  },
  {
    key: 'count',
    header: 'Count',
    kind: 'number',
    placeholder: () => 'any',
    check: (v) => (v === undefined || whole(v) ? undefined : 'A whole number of GPUs.'),
  },
  {
    key: 'memoryGiB',
    header: 'Memory (GiB)',
    kind: 'number',
    placeholder: (row) => {
      const known = catalogGpu(row);
      return known ? String(plannableGiB(known.memoryMiB - known.reservedMiB)) : '';
    },
    check: (v, row) =>
      v === undefined
        ? catalogGpu(row)
          ? undefined
          : 'Give the memory: the type is not in the catalog.'
        : isNumber(v) && v > 0
          ? undefined
          : 'A positive number of GiB.',
  },
  {
    key: 'costPerHour',
    header: '$/hour',
    kind: 'number',
    placeholder: (row) => {
      const known = catalogGpu(row);
      return known ? known.pricePerHour.toFixed(2) : '0';
    },
    check: (v) => (v === undefined || (isNumber(v) && v >= 0) ? undefined : 'US$ per GPU-hour, 0 or more.'),
  },
];

const MODEL_COLUMNS: Column[] = [
  {
    key: 'name',
    header: 'Name',
    kind: 'text',
    check: (v, _row, all) =>
      typeof v !== 'string' || v === ''
        ? 'Name the model.'
        : all.filter((r) => r.name === v).length > 1
          ? 'Listed twice.'
          : undefined,
  },
  {
    key: 'model',
    header: 'Catalog model',
    kind: 'text',
    list: 'catalog-models',
    placeholder: () => 'none',
    check: (v, row) =>
      v === undefined
        ? row.memoryGiB === undefined
          ? 'Pick a catalog model or give the memory per GPU.'
          : undefined
        : typeof v === 'string' && (modelIds.size === 0 || modelIds.has(v))
          ? undefined
          : 'Not a built-in model id.',
  },
  {
    key: 'memoryGiB',
    header: 'Memory per GPU (GiB)',
    kind: 'number',
    placeholder: (row) => (row.model ? 'sized' : ''),
    check: (v) => (v === undefined || (isNumber(v) && v > 0) ? undefined : 'A positive number of GiB.'),
  },
  {
    key: 'replicas',
    header: 'Replicas',
    kind: 'number',
    placeholder: (row) => (row.demand ? 'from demand' : '1'),
    check: (v) => (v === undefined || (whole(v) && v >= 1) ? undefined : 'A whole number, 1 or more.'),
  },
  {
    key: 'tp',
    header: 'Tensor parallel',
    kind: 'number',
    placeholder: (row) => (row.demand ? 'chosen' : '1'),
    check: (v) => (v === undefined || (whole(v) && v >= 1 && v <= 64) ? undefined : 'A whole number from 1 to 64.'),
  },
  {
    key: 'requestsPerSecond',
    path: ['demand', 'requestsPerSecond'],
    header: 'Demand (req/s)',
    kind: 'number',
    placeholder: () => 'none',
    check: (v) => (v === undefined || (isNumber(v) && v > 0) ? undefined : 'Requests per second, more than 0.'),
  },
];

function read(row: Row, column: Column): unknown {
  if (!column.path) return row[column.key];
  const outer = row[column.path[0]];
  return typeof outer === 'object' && outer !== null ? (outer as Row)[column.path[1]] : undefined;
}

function write(row: Row, column: Column, value: unknown): void {
  if (!column.path) {
    if (value === undefined) delete row[column.key];
    else row[column.key] = value;
    return;
  }
  const [outer, inner] = column.path;
  const nested = typeof row[outer] === 'object' && row[outer] !== null ? { ...(row[outer] as Row) } : {};
  if (value === undefined) delete nested[inner];
  else nested[inner] = value;
  if (Object.keys(nested).length === 0) delete row[outer];
  else row[outer] = nested;
}

/** What was typed: a number where it reads as one, else the text (so the check can say why). */
function parseField(text: string, kind: Column['kind']): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (kind === 'text') return trimmed;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : trimmed;
}

function parseProblem(text: string): Problem | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return `The JSON does not parse (${error instanceof Error ? error.message : String(error)}): fix it in the JSON view below.`;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'The problem must be a JSON object.';
  const problem = raw as Row;
  const rows = (v: unknown) => Array.isArray(v) && v.every((r) => typeof r === 'object' && r !== null);
  if (problem.gpus !== undefined && !rows(problem.gpus)) return '"gpus" must be a list of objects.';
  if (problem.models !== undefined && !rows(problem.models)) return '"models" must be a list of objects.';
  return { ...problem, gpus: (problem.gpus as Row[]) ?? [], models: (problem.models as Row[]) ?? [] };
}

function datalists(): HTMLElement {
  const gpus = el('datalist', { id: 'catalog-gpus' }, ...GPU_CATALOG.map((g) => el('option', { text: g.id })));
  const models = el('datalist', { id: 'catalog-models' }, ...[...modelIds].map((id) => el('option', { text: id })));
  return el('div', { className: 'datalists' }, gpus, models);
}

interface TableSpec {
  id: string;
  caption: string;
  columns: Column[];
  rows: Row[];
  addLabel: string;
  blank: () => Row;
}

/**
 * Builds the form for `text`. `changed` gets the new JSON after every field edit. Returns the
 * form's element.
 */
export function problemForm(text: string, changed: (text: string) => void): HTMLElement {
  const parsed = parseProblem(text);
  if (typeof parsed === 'string')
    return el('div', { className: 'problem-form', id: 'problem-form' }, el('p', { className: 'error', text: parsed }));
  const problem = parsed;
  const form = el('div', { className: 'problem-form', id: 'problem-form' });
  const checks: (() => void)[] = [];
  const emit = () => {
    changed(formatProblem(problem));
    for (const check of checks) check();
  };

  const table = (spec: TableSpec): HTMLElement => {
    const body = el('tbody');
    const addRow = (row: Row, index: number) => {
      const tr = el('tr');
      for (const column of spec.columns) {
        const id = `${spec.id}-${index}-${column.key}`;
        const input = el('input', { id, className: 'field' });
        input.type = 'text';
        if (column.kind === 'number') input.inputMode = 'decimal';
        if (column.list) input.setAttribute('list', column.list);
        const value = read(row, column);
        input.value = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
        input.setAttribute('aria-label', `${column.header}, row ${index + 1}`);
        const error = el('span', { className: 'field-error', id: `${id}-error` });
        error.setAttribute('aria-live', 'polite');
        input.setAttribute('aria-describedby', error.id);
        const check = () => {
          const reason = column.check(read(row, column), row, spec.rows);
          error.textContent = reason ?? '';
          input.setAttribute('aria-invalid', String(reason !== undefined));
          input.placeholder = column.placeholder?.(row) ?? '';
        };
        checks.push(check);
        input.addEventListener('input', () => {
          write(row, column, parseField(input.value, column.kind));
          emit();
        });
        check();
        tr.append(el('td', {}, input, error));
      }
      const remove = el('button', { className: 'link-button', text: 'Remove' });
      remove.setAttribute('aria-label', `Remove row ${index + 1} of ${spec.caption}`);
      remove.addEventListener('click', () => {
        spec.rows.splice(spec.rows.indexOf(row), 1);
        const next = formatProblem(problem);
        changed(next);
        form.replaceWith(problemForm(next, changed));
      });
      tr.append(el('td', {}, remove));
      body.append(tr);
    };
    spec.rows.forEach(addRow);
    const add = el('button', { className: 'link-button', text: spec.addLabel });
    add.addEventListener('click', () => {
      spec.rows.push(spec.blank());
      const next = formatProblem(problem);
      changed(next);
      form.replaceWith(problemForm(next, changed));
    });
    return el(
      'div',
      { className: 'form-table' },
      el(
        'table',
        { className: 'fields', id: spec.id },
        el('caption', { text: spec.caption }),
        el('thead', {}, el('tr', {}, ...spec.columns.map((c) => el('th', { text: c.header })), el('th', { text: '' }))),
        body,
      ),
      add,
    );
  };

  form.append(
    datalists(),
    table({
      id: 'pool-table',
      caption: 'GPU pool',
      columns: GPU_COLUMNS,
      rows: problem.gpus,
      addLabel: 'Add a GPU type',
      blank: () => ({ type: 'l40s', count: 1 }),
    }),
    table({
      id: 'models-table',
      caption: 'Models',
      columns: MODEL_COLUMNS,
      rows: problem.models,
      addLabel: 'Add a model',
      blank: () => ({ name: `model-${problem.models.length + 1}`, memoryGiB: 16, replicas: 1, tp: 1 }),
    }),
  );
  return form;
}
