/**
 * Small SVG helpers for the workbench's charts: every chart has a scale with its unit, values
 * where they fit, and colours from the theme (VS Code's CSS variables), so light, dark and high
 * contrast themes all read.
 */
import { formatTick } from './scale.ts';

const SVG = 'http://www.w3.org/2000/svg';

/** Series colours from the theme's chart palette. */
export const PALETTE = [
  // Fallbacks (VS Code's own dark-theme values) for a theme that leaves a chart colour out. Orange
  // comes last: Light Modern's is a pale peach that barely shows on white.
  'var(--vscode-charts-blue, #3794ff)',
  'var(--vscode-charts-purple, #b180d7)',
  'var(--vscode-charts-green, #89d185)',
  'var(--vscode-charts-red, #f14c4c)',
  'var(--vscode-charts-yellow, #cca700)',
  'var(--vscode-charts-orange, #d18616)',
];
export const TEXT = 'var(--vscode-foreground)';
export const MUTED = 'var(--vscode-descriptionForeground)';
export const GRID = 'var(--vscode-editorWidget-border, var(--vscode-panel-border, gray))';
export const ERROR = 'var(--vscode-errorForeground)';

export function colorAt(index: number): string {
  return PALETTE[index % PALETTE.length] ?? 'gray';
}

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  ...children: (SVGElement | string)[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  for (const child of children) {
    if (typeof child === 'string') node.append(document.createTextNode(child));
    else node.append(child);
  }
  return node;
}

export function text(
  x: number,
  y: number,
  content: string,
  attrs: Record<string, string | number> = {},
): SVGTextElement {
  return svg('text', { x, y, fill: TEXT, ...attrs }, content);
}

/** A titled chart: role img with its label (the words a screen reader says for it). */
export function chart(width: number, height: number, label: string, className: string): SVGSVGElement {
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': label });
  root.classList.add(className);
  return root;
}

/** A tooltip on a mark. */
export function titled<T extends SVGElement>(mark: T, title: string): T {
  mark.append(svg('title', {}, title));
  return mark;
}

/** A horizontal axis at `y` from x0 to x1 for values 0..max, with ticks, grid lines up to `top`, and its title. */
export function horizontalAxis(
  root: SVGSVGElement,
  opts: { x0: number; x1: number; y: number; top: number; values: number[]; max: number; title: string; min?: number },
): void {
  const min = opts.min ?? 0;
  const at = (v: number) => opts.x0 + ((v - min) / Math.max(1e-9, opts.max - min)) * (opts.x1 - opts.x0);
  root.append(svg('line', { x1: opts.x0, x2: opts.x1, y1: opts.y, y2: opts.y, stroke: MUTED }));
  for (const v of opts.values) {
    const x = at(v);
    root.append(
      svg('line', { x1: x, x2: x, y1: opts.top, y2: opts.y, stroke: GRID, 'stroke-dasharray': '2 3' }),
      text(x, opts.y + 13, formatTick(v), { 'text-anchor': 'middle', fill: MUTED }),
    );
  }
  root.append(text((opts.x0 + opts.x1) / 2, opts.y + 28, opts.title, { 'text-anchor': 'middle', fill: MUTED }));
}
