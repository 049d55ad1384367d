/**
 * Hover on a model id or a GPU count: the verdict first (fits, does not fit, wastes N GPUs, not
 * sized), then what was understood, then the memory per GPU and what would fit better.
 */
import * as vscode from 'vscode';
import type { ServingUnit } from '../../core/lint/types.ts';
import { isLintable, lintOptions, loadLinter } from './lintEngine.ts';

/** The one name of the memory outside PyTorch's allocator, as vLLM's profiler logs it (non_torch_increase). */
export const NON_TORCH_NOTE =
  'Non-torch memory: the CUDA context, cuBLAS workspaces and NCCL buffers, outside PyTorch (vLLM logs it under that name).';

export class LintHover implements vscode.HoverProvider {
  /** The units of the text last hovered: moving the mouse over one file parses it once. */
  private parsed?: { path: string; text: string; units: ServingUnit[] };

  private async unitsOf(path: string, text: string): Promise<ServingUnit[]> {
    // The text itself is the key: a version number starts again when a document is reopened.
    if (this.parsed?.path === path && this.parsed.text === text) return this.parsed.units;
    const { lint } = await loadLinter();
    this.parsed = { path, text, units: lint.readServingUnits(path, text).units };
    return this.parsed.units;
  }

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    // The same files as the diagnostics (a shebang script without an extension included).
    if (!(await isLintable(document))) return undefined;
    const [{ sizeUnit }, { fitAdvice }, { GIB }, { summarizeUnit, unitHeadline }, { unitVerdict }] = await Promise.all([
      import('../../core/lint/sizingLookup.ts'),
      import('../../core/sizing/advice.ts'),
      import('../../core/sizing/servingMemory.ts'),
      import('../../core/lint/unitSummary.ts'),
      import('../../core/lint/unitVerdict.ts'),
    ]);
    const offset = document.offsetAt(position);
    const options = await lintOptions();
    const text = document.getText();
    const unit = (await this.unitsOf(document.uri.path, text)).find((u) => {
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
    const md = new vscode.MarkdownString();
    const verdict = unitVerdict(unit, { path: document.uri.path, text, options });
    // The verdict leads (issue 15, item 9); untrusted names in it are shown as text, never as Markdown.
    md.appendText(`${verdict.text}\n\n`);
    // What was understood, as `--format json` lists it: "vLLM · Llama-3.1-8B-Instruct · TP 2 · 2 x H100 (from nodeSelector)".
    md.appendText(`${unitHeadline(summarizeUnit(unit, options))}\n\n`);
    const sizing = sizeUnit(unit, options);
    if (!sizing.ok) return new vscode.Hover(md);
    const e = sizing.estimate;
    const gib = (b: number) => `${(b / GIB).toFixed(2)} GiB`;
    md.appendMarkdown(
      `**${sizing.model.id}** on ${sizing.gpu.name}${sizing.gpuFromDefault ? ' (default GPU)' : ''}, TP=${e.settings.tp}${e.settings.pp > 1 ? ` PP=${e.settings.pp}` : ''}, max_model_len ${e.settings.maxModelLen}\n\n`,
    );
    const rows: [string, number][] = [
      ['weights', e.weightsBytes],
      [e.settings.engine === 'sglang' ? 'activation reserve' : 'activation peak', e.activationBytes],
      ['non-torch memory', e.nonTorchBytes],
      ...((e.cudaGraphBytes ?? 0) > 0 ? [['CUDA graphs', e.cudaGraphBytes ?? 0] as [string, number]] : []),
      ['KV cache', e.kvCacheBytes],
      [`usable (x${e.settings.gpuMemoryUtilization})`, e.usableBytes],
    ];
    md.appendMarkdown(`| per GPU | GiB |\n|---|---:|\n${rows.map(([k, v]) => `| ${k} | ${gib(v)} |`).join('\n')}\n\n`);
    md.appendText(NON_TORCH_NOTE);
    for (const advice of fitAdvice(sizing.model, sizing.gpu, e)) md.appendText(`\n- ${advice}`);
    return new vscode.Hover(md);
  }
}
