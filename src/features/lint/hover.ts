/** Hover on a model id or a GPU count: the memory breakdown and what would fit better. */
import * as vscode from 'vscode';
import { loadLinter, lintSettings } from './lintEngine.ts';

export class LintHover implements vscode.HoverProvider {
  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const { lint, catalogs } = await loadLinter();
    if (lint.formatOf(document.uri.path, '') === 'unknown') return undefined;
    const [{ sizeUnit }, { fitAdvice }, { GIB }, { summarizeUnit, unitHeadline }] = await Promise.all([
      import('../../core/lint/sizingLookup.ts'),
      import('../../core/sizing/advice.ts'),
      import('../../core/sizing/servingMemory.ts'),
      import('../../core/lint/unitSummary.ts'),
    ]);
    const offset = document.offsetAt(position);
    const settings = lintSettings();
    const options = {
      findModel: (id: string) => catalogs.models.findModel(id)?.architecture,
      defaultGpu: settings.defaultGpu ? catalogs.gpus.findGpu(settings.defaultGpu) : undefined,
    };
    const unit = lint.readServingUnits(document.uri.path, document.getText()).units.find((u) => {
      const spans = [
        u.engine?.model?.span,
        u.gpus?.limit?.span,
        u.gpus?.request?.span,
        u.engine?.tensorParallel?.span,
        u.engine?.unresolvedModel?.span,
        u.engine?.span,
      ].filter(Boolean) as { start: number; end: number }[];
      return spans.some((s) => offset >= s.start && offset <= s.end);
    });
    if (!unit) return undefined;
    const sizing = sizeUnit(unit, options);
    const md = new vscode.MarkdownString();
    // What was understood, as `--format json` lists it: "vLLM · Llama-3.1-8B-Instruct · TP 2 · 2 x H100 (from nodeSelector)".
    md.appendText(`${unitHeadline(summarizeUnit(unit, options))}\n\n`);
    if (!sizing.ok) {
      md.appendText(`GPU Workbench: not sized (${sizing.reason}).`);
      return new vscode.Hover(md);
    }
    const e = sizing.estimate;
    const gib = (b: number) => `${(b / GIB).toFixed(2)} GiB`;
    md.appendMarkdown(
      `**${sizing.model.id}** on ${sizing.gpu.name}${sizing.gpuFromDefault ? ' (default GPU)' : ''}, TP=${e.settings.tp}${e.settings.pp > 1 ? ` PP=${e.settings.pp}` : ''}, max_model_len ${e.settings.maxModelLen}\n\n`,
    );
    md.appendMarkdown(
      `| per GPU | GiB |\n|---|---:|\n| weights | ${gib(e.weightsBytes)} |\n| activation peak | ${gib(e.activationBytes)} |\n| non-torch | ${gib(e.nonTorchBytes)} |\n| KV cache | ${gib(e.kvCacheBytes)} |\n| usable (x${e.settings.gpuMemoryUtilization}) | ${gib(e.usableBytes)} |\n\n`,
    );
    md.appendText(
      e.fits
        ? `Fits: ${e.kvCacheTokens} tokens of KV cache, ${e.maxConcurrency.toFixed(1)} requests of max_model_len.`
        : `Does not fit: ${e.problems.join(' ')}`,
    );
    for (const advice of fitAdvice(sizing.model, sizing.gpu, e)) md.appendText(`\n- ${advice}`);
    return new vscode.Hover(md);
  }
}
