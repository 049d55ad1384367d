import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findGpu } from '../core/catalog/gpus.ts';
import { findModel } from '../core/catalog/models.ts';
import { FILE_RULE } from '../core/lint/ruleRegistry.ts';
import { formatOf, lintText, MAX_LINT_BYTES, type LintRequest } from '../core/lint/lint.ts';
import { toJsonFindings, toJsonUnits, toSarif, toText, type FileFindings } from '../core/lint/report.ts';
import type { Finding } from '../core/lint/types.ts';
import { clip, safeJson, safeLine } from '../core/text/safeText.ts';
import { formatBytes, readRegularFile } from '../node/readLimited.ts';
import { InputError, readStdinCapped, UsageError, type Io } from './io.ts';
import { errorMessage } from '../core/errors.ts';

export const LINT_USAGE = `  gpu-workbench lint <path ... | -> [--format text|json|sarif] [--default-gpu ID] [--stdin-filename NAME]`;

/** Characters of a file name or message shown on a terminal line. */
const MAX_SHOWN = 2000;

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', '.venv', '__pycache__']);

/** Files under a folder in the formats the linter reads. */
async function collect(path: string, out: string[]): Promise<void> {
  const info = await stat(path);
  if (info.isFile()) {
    out.push(path);
    return;
  }
  if (!info.isDirectory()) throw new InputError(`${path} is not a regular file or a folder`);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) await collect(child, out);
    } else if (entry.isFile() && formatOf(child, '') !== 'unknown') {
      out.push(child);
    }
  }
}

/** One file's findings; a file that breaks the linter costs its own findings only. */
function lintOne(path: string, shown: string, text: string, request: LintRequest): FileFindings {
  try {
    const { findings, understood } = lintText(path, text, request);
    // Only the text up to the last finding or unit is kept (for line and column), not every file whole.
    const end = Math.max(
      findings.reduce((most, f) => Math.max(most, f.span.end), 0),
      (understood ?? []).reduce((most, u) => Math.max(most, u.offset + 1), 0),
    );
    // A copy: a slice would keep the whole file alive.
    const kept = end < text.length ? Buffer.from(text.slice(0, end)).toString() : text;
    return { file: shown, text: kept, findings, understood };
  } catch (error) {
    const finding: Finding = {
      ruleId: FILE_RULE.id,
      severity: 'error',
      message: `Not linted: the linter failed on this file (${errorMessage(error)}).`,
      span: { start: 0, end: 0 },
    };
    return { file: shown, text: '', findings: [finding] };
  }
}

function tooLarge(shown: string, bytes: number): FileFindings {
  return {
    file: shown,
    text: '',
    findings: [
      {
        ruleId: FILE_RULE.id,
        severity: 'info',
        message: `Not linted: ${formatBytes(bytes)} is over the ${formatBytes(MAX_LINT_BYTES)} limit for a config file.`,
        span: { start: 0, end: 0 },
      },
    ],
  };
}

/** The rule pages that ship with the CLI (docs/rules next to dist/ in a checkout or package). */
function docsReader(): (page: string) => string | undefined {
  const cache = new Map<string, string | undefined>();
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  return (page) => {
    if (!cache.has(page)) {
      try {
        cache.set(page, readFileSync(join(__dirname, '..', 'docs', 'rules', page), 'utf8'));
      } catch {
        cache.set(page, undefined);
      }
    }
    return cache.get(page);
  };
}

/** Exit 0 when clean, 1 when any error, 2 on a usage or I/O error. */
export async function lintCommand(args: string[], io: Io, version: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { format: { type: 'string' }, 'default-gpu': { type: 'string' }, 'stdin-filename': { type: 'string' } },
  });
  const format = values.format ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format))
    throw new UsageError(`--format must be text, json or sarif, not "${format.slice(0, 40)}"`);
  if (positionals.length === 0) throw new UsageError('give files or folders to lint, or - for standard input');
  const defaultGpu = values['default-gpu'] ? findGpu(values['default-gpu']) : undefined;
  if (values['default-gpu'] && !defaultGpu) throw new UsageError(`unknown GPU "${values['default-gpu'].slice(0, 80)}"`);
  const request = { findModel: (id: string) => findModel(id)?.architecture, defaultGpu, summarize: format === 'json' };
  const results: FileFindings[] = [];
  for (const target of positionals) {
    if (target === '-') {
      // Rendered Helm output and other manifests arrive as YAML, unless --stdin-filename names the
      // format (as ESLint's and Prettier's --stdin-filename do): serve.sh, README.md, config.pbtxt.
      // Counted as it arrives.
      const text = await readStdinCapped(io, MAX_LINT_BYTES);
      const name = values['stdin-filename'] || 'stdin.yaml';
      results.push(lintOne(name, name, text, request));
      continue;
    }
    const files: string[] = [];
    try {
      await collect(resolve(io.cwd, target), files);
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(`cannot read ${target}: ${(error as Error).message}`);
    }
    for (const file of files.sort()) {
      const shown = relative(io.cwd, file) || file;
      let text: string;
      try {
        text = await readRegularFile(file, MAX_LINT_BYTES);
      } catch (error) {
        if (!(error instanceof InputError)) throw new InputError(`cannot read ${shown}: ${(error as Error).message}`);
        const size = await stat(file).then(
          (i) => i.size,
          () => 0,
        );
        if (size > MAX_LINT_BYTES) results.push(tooLarge(shown, size));
        else throw error;
        continue;
      }
      results.push(lintOne(file, shown, text, request));
    }
  }
  if (format === 'json') io.out(safeJson({ findings: toJsonFindings(results), units: toJsonUnits(results) }));
  else if (format === 'sarif') io.out(safeJson(toSarif(results, version, docsReader())));
  else {
    // One line per finding: a name of a megabyte quoted by a message is cut for the terminal (JSON keeps it whole).
    const shown = results.map((r) => ({
      ...r,
      file: safeLine(clip(r.file, MAX_SHOWN)),
      findings: r.findings.map((f) => ({ ...f, message: clip(f.message, MAX_SHOWN) })),
    }));
    io.out(toText(shown));
  }
  return results.some((r) => r.findings.some((f) => f.severity === 'error')) ? 1 : 0;
}
