/** What a person does in VS Code, as playwright steps. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';

export const SCREENSHOT_DIR = join(import.meta.dirname, '..', 'screenshots');

/** F1, type the command's title, Enter: the command palette as a person uses it. */
export async function runCommand(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Right after the window opens the palette may not list extension commands yet, and an open
  // palette does not refresh its list: close it and ask again, as a person would.
  for (;;) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ timeout: 3_000 });
      await input.press('Enter');
      return;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw new Error(`"${title}" is not in the command palette: ${String(error)}`);
    }
  }
}

/** The content frame of the (single) visible webview. */
export function webviewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/**
 * Runs a test's body; on failure, rethrows with a screenshot of the page (`<name>-failure.png`) and
 * the tail of code-server's log, so a failing run in CI says what the window showed.
 */
export async function withFailureReport<T>(
  session: { page: Page; logs(): string },
  name: string,
  body: () => Promise<T>,
): Promise<T> {
  try {
    return await body();
  } catch (error) {
    const shot = await saveScreenshot(session.page, `${name}-failure`).catch(() => 'no screenshot');
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\nscreenshot: ${shot}\ncode-server log tail:\n${session.logs().slice(-2000)}`,
    );
  }
}

/**
 * Types into the open quick pick and accepts the first row that shows the text. Right after a
 * command the palette is still closing (its input inert) while the command's own pick opens, and
 * on a busy machine that takes a while: try again until the row shows, for up to 45 s.
 */
export async function pickQuickItem(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  // The focused row: Enter accepts it, and it shows the text only once the filter has applied.
  const row = page.locator('.quick-input-list .monaco-list-row.focused', { hasText: text }).first();
  const deadline = Date.now() + 45_000;
  for (;;) {
    try {
      await input.waitFor({ state: 'visible', timeout: 5_000 });
      await input.fill(text, { timeout: 3_000 });
      await row.waitFor({ timeout: 5_000 });
      await input.press('Enter');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`no quick pick row "${text}": ${String(error)}`);
    }
  }
}

/** Ctrl+P, the file's name, Enter; waits until the editor shows text the file contains. */
export async function openFile(page: Page, name: string, contains: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await pickQuickItem(page, name);
  await page.locator('.monaco-editor .view-lines', { hasText: contains }).first().waitFor({ timeout: 30_000 });
}
