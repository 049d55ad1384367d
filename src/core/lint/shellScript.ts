/** Serving commands in shell scripts, Dockerfiles and READMEs: every `vllm serve` / launcher line. */
import { parseEngineCommand } from './engineArgs.ts';
import { shellWords } from './text.ts';
import type { ServingUnit } from './types.ts';

const ENGINE_LINE =
  /(?:^|[\s;&|(`$])(?:vllm\s+serve|python[\d.]*\s+-m\s+vllm\.entrypoints\.openai\.api_server|text-generation-launcher)\b/;

export function scriptUnits(text: string): ServingUnit[] {
  const units: ServingUnit[] = [];
  let offset = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineStart = offset;
    let line = lines[i] ?? '';
    offset += line.length + 1;
    if (!ENGINE_LINE.test(line) || line.trimStart().startsWith('#')) continue;
    // Follow backslash continuations.
    let end = lineStart + line.length;
    while (line.trimEnd().endsWith('\\') && i + 1 < lines.length) {
      i++;
      line = lines[i] ?? '';
      end = offset + line.length;
      offset += line.length + 1;
    }
    const commandText = text.slice(lineStart, end);
    const words = shellWords(commandText, lineStart);
    const engine = parseEngineCommand(words, { start: lineStart, end });
    if (!engine) continue;
    const first = words.find((w) => /vllm|text-generation-launcher|python/.test(w.text)) ?? words[0];
    units.push({
      name: {
        value: engine.engine === 'vllm' ? 'vllm serve' : 'text-generation-launcher',
        span: first?.span ?? { start: lineStart, end },
      },
      source: 'script',
      engine,
      sharedMemory: 'not-applicable',
    });
  }
  return units;
}
