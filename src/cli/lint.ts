import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findGpu } from '../core/catalog/gpus.ts';
import { findModel } from '../core/catalog/models.ts';
import { formatOf, lintText } from '../core/lint/lint.ts';
import { toJsonFindings, toJsonUnits, toSarif, toText, type FileFindings } from '../core/lint/report.ts';
import { UsageError, type Io } from './io.ts';

export const LINT_USAGE = `  gpu-workbench lint <path ... | -> [--format text|json|sarif] [--default-gpu ID] [--stdin-filename NAME]`;

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', '.venv', '__pycache__']);

/** Files under a folder in the formats the linter reads. */
async function collect(path: string, out: string[]): Promise<void> {
  const info = await stat(path);
  if (info.isFile()) {
    out.push(path);
    return;
  }
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) await collect(child, out);
    } else if (entry.isFile() && formatOf(child, '') !== 'unknown') {
      out.push(child);
    }
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
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
    throw new UsageError(`--format must be text, json or sarif, not "${format}"`);
  if (positionals.length === 0) throw new UsageError('give files or folders to lint, or - for standard input');
  const defaultGpu = values['default-gpu'] ? findGpu(values['default-gpu']) : undefined;
  if (values['default-gpu'] && !defaultGpu) throw new UsageError(`unknown GPU "${values['default-gpu']}"`);
  const request = { findModel: (id: string) => findModel(id)?.architecture, defaultGpu, summarize: format === 'json' };
  const results: FileFindings[] = [];
  for (const target of positionals) {
    if (target === '-') {
      // Rendered Helm output and other manifests arrive as YAML, unless --stdin-filename names the
      // format (as ESLint's and Prettier's --stdin-filename do): serve.sh, README.md, config.pbtxt.
      const text = await readStdin();
      const name = values['stdin-filename'] || 'stdin.yaml';
      const result = lintText(name, text, request);
      results.push({ file: name, text, findings: result.findings, understood: result.understood });
      continue;
    }
    const files: string[] = [];
    try {
      await collect(resolve(io.cwd, target), files);
    } catch (error) {
      io.err(`gpu-workbench: cannot read ${target}: ${(error as Error).message}`);
      return 2;
    }
    for (const file of files.sort()) {
      const text = await readFile(file, 'utf8');
      const shown = relative(io.cwd, file) || file;
      const result = lintText(file, text, request);
      results.push({ file: shown, text, findings: result.findings, understood: result.understood });
    }
  }
  if (format === 'json')
    io.out(JSON.stringify({ findings: toJsonFindings(results), units: toJsonUnits(results) }, null, 2));
  else if (format === 'sarif') io.out(JSON.stringify(toSarif(results, version, docsReader()), null, 2));
  else io.out(toText(results));
  return results.some((r) => r.findings.some((f) => f.severity === 'error')) ? 1 : 0;
}
