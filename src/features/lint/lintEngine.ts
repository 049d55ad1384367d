/**
 * The linter as the editor uses it: loaded on first use (it bundles the `yaml` parser and the
 * catalogs), configured from settings, run on a document's text.
 */
import * as vscode from 'vscode';
import { setting } from '../config/settings.ts';
import type { LintResult } from '../../core/lint/lint.ts';
import type { LintOptions, Severity } from '../../core/lint/types.ts';

type LintModule = typeof import('../../core/lint/lint.ts');
type Catalogs = {
  models: typeof import('../../core/catalog/models.ts');
  gpus: typeof import('../../core/catalog/gpus.ts');
};

let loaded: Promise<{ lint: LintModule; catalogs: Catalogs }> | undefined;

export function loadLinter(): Promise<{ lint: LintModule; catalogs: Catalogs }> {
  loaded ??= Promise.all([
    import('../../core/lint/lint.ts'),
    import('../../core/catalog/models.ts'),
    import('../../core/catalog/gpus.ts'),
  ]).then(([lint, models, gpus]) => ({ lint, catalogs: { models, gpus } }));
  return loaded;
}

export function lintSettings(): {
  enabled: boolean;
  defaultGpu: string | undefined;
  severities: Record<string, Severity | 'off'>;
} {
  return {
    enabled: setting('lintEnabled'),
    defaultGpu: setting('defaultGpu'),
    severities: setting('lintSeverity'),
  };
}

/** What the rules are given, from the settings: the same for the diagnostics and the hover. */
export async function lintOptions(): Promise<LintOptions> {
  const { catalogs } = await loadLinter();
  const settings = lintSettings();
  return {
    findModel: (id) => catalogs.models.findModel(id)?.architecture,
    defaultGpu: settings.defaultGpu ? catalogs.gpus.findGpu(settings.defaultGpu) : undefined,
    vllmVersion: setting('vllmVersion'),
  };
}

export async function lintDocumentText(path: string, text: string): Promise<LintResult> {
  const { lint } = await loadLinter();
  return lint.lintText(path, text, { ...(await lintOptions()), severities: lintSettings().severities });
}

/** Whether the linter reads this kind of file (cheap: the name, or a shebang). */
export async function isLintable(document: vscode.TextDocument): Promise<boolean> {
  if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled') return false;
  const { lint } = await loadLinter();
  const format = lint.formatOf(document.uri.path, document.lineCount > 0 ? document.lineAt(0).text : '');
  return format !== 'unknown';
}
