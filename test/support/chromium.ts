/**
 * Debian's Chromium driven headless through playwright-core (no browser is ever downloaded): a
 * `describe` that runs when /usr/bin/chromium exists, fails under `CI=true` without it, and otherwise
 * skips with a printed reason; and a fresh browser context per test file.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { describe, it } from "vitest";

/** Where Debian's chromium package puts the browser. */
export const chromiumPath = "/usr/bin/chromium";

const available = existsSync(chromiumPath);
const inCi = process.env.CI === "true";
if (!available && !inCi)
  console.warn(`Browser tests skipped: no Chromium at ${chromiumPath} (apt-get install -y chromium).`);

/** `describe` for tests that need Chromium (see the module comment). */
export function describeChromium(name: string, body: () => void): void {
  if (available) describe(name, body);
  else if (inCi)
    describe(name, () => {
      it("needs Chromium, and CI=true requires it", () => {
        throw new Error(`no Chromium at ${chromiumPath}: .ci/run installs the chromium package`);
      });
    });
  else describe.skip(`${name} (skipped: no Chromium at ${chromiumPath})`, body);
}

/** A headless Chromium with a fresh profile; `close` removes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), "eventsourcing-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The git-ignored folder the browser tests write their screenshots to. */
export async function screenshotPath(name: string): Promise<string> {
  const folder = join(process.cwd(), ".screenshots");
  await mkdir(folder, { recursive: true });
  return join(folder, `${name}.png`);
}
