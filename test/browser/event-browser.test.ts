/**
 * The web event browser in a real headless Chromium, on every store: the streams page, a prefix
 * search, a stream's payloads and replayed state, the live log and its pause button, the catalogue,
 * the queries, a `<script>` payload shown as text, and the token.
 */
import type { Locator } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { apply, emptyState, handle } from "../../examples/bank-account/domain.js";
import { type EventBrowser, eventBrowser } from "../../src/browser/index.js";
import { describeChromium, launchChromium, screenshotPath } from "../support/chromium.js";
import { storeKinds } from "../support/stores.js";
import { type Bank, type BankConfig, deposit, expectOk, open, useSystems } from "../support/system.js";

const SCRIPT_PAYLOAD = '<script>window.pwned = true</script><img src="x" onerror="window.pwned = true">';
const TOKEN = "a-token-of-sufficient-length-1234";

/** The element's text as in the DOM. */
async function text(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? "";
}

describeChromium("the web event browser in Chromium", () => {
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => {
    chromium = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await chromium?.close();
  });

  for (const kind of storeKinds) {
    kind.describe(`[${kind.name}]`, () => {
      const systems = useSystems(kind);
      const browsers: EventBrowser[] = [];
      afterEach(async () => {
        for (const browser of browsers.splice(0)) await browser.close();
      });

      /** A bank with three accounts and a named query, a note stream holding a script, and a browser over them. */
      async function seeded(options: { token?: string; host?: string } = {}) {
        const { store } = await systems.store();
        const config: BankConfig = {
          store,
          handle,
          apply,
          emptyState,
          logger: { warn() {}, error() {} },
          queries: [{ name: "balances", handle: () => undefined }],
        };
        const bank: Bank = await systems.bank(config);
        for (const id of ["alice-1", "alice-2", "bob-1"]) expectOk(await bank.execute(id, open(id)));
        expectOk(await bank.execute("alice-1", deposit(5), { correlationId: "conversation-7" }));
        await store.append([
          {
            aggregateType: "note",
            aggregateId: "evil",
            expectedSequence: 0,
            events: [
              { eventType: "NoteWritten", payload: JSON.stringify({ text: SCRIPT_PAYLOAD }), metadata: {} },
            ],
          },
        ]);
        const browser = await eventBrowser({
          store,
          systems: [{ config, system: bank }],
          port: 0,
          ...options,
        });
        browsers.push(browser);
        const page = await chromium.context.newPage();
        return { store, bank, browser, page };
      }

      it("lists aggregate types, finds streams by id prefix and opens one to show its payloads", async () => {
        const { browser, page } = await seeded();
        try {
          await page.goto(`${browser.url}streams`);
          const types = page.locator("table.types tbody tr");
          await expect.poll(() => types.allInnerTexts()).toEqual(["default\t3\t4", "note\t1\t1"]);
          await page.screenshot({ path: await screenshotPath(`streams-${kind.name}`), fullPage: true });

          await page.fill('input[name="prefix"]', "alice");
          await page.click('form.search button[type="submit"]');
          await page.waitForURL(/prefix=alice/);
          expect(await page.locator("a.stream-link").allInnerTexts()).toEqual(["alice-1", "alice-2"]);

          await page.click('a.stream-link:text-is("alice-1")');
          await page.waitForURL(/\/stream\?type=default&id=alice-1/);
          expect(await text(page.locator("h1"))).toBe("default / alice-1");
          const payloads = await page.locator("pre.payload").allInnerTexts();
          expect(payloads).toHaveLength(2);
          expect(JSON.parse(payloads[1] ?? "")).toEqual({
            type: "CustomerDepositedCash",
            amount: 5,
            balance: 5,
          });
          expect(await text(page.locator("table.events"))).toContain("conversation-7");
          await page.screenshot({ path: await screenshotPath(`stream-${kind.name}`), fullPage: true });

          await page.click('a:text-is("conversation-7")');
          await page.waitForURL(/\/related\?id=conversation-7/);
          expect(await page.locator("table.events tbody tr").count()).toBe(1);
        } finally {
          await page.close();
        }
      });

      it("shows the aggregate's state at a chosen sequence, replayed with the system's own apply", async () => {
        const { browser, page } = await seeded();
        try {
          await page.goto(`${browser.url}stream?type=default&id=alice-1`);
          expect(JSON.parse(await text(page.locator("pre.state-value")))).toEqual({
            type: "BankAccount",
            balance: 5,
          });
          await page.fill('input[name="at"]', "0");
          await page.click('section.state button[type="submit"]');
          await page.waitForURL(/at=0/);
          expect(JSON.parse(await text(page.locator("pre.state-value")))).toEqual({ type: "Unopened" });
        } finally {
          await page.close();
        }
      });

      it("shows a payload holding a script as text and never runs it", async () => {
        const { browser, page } = await seeded();
        let dialogs = 0;
        page.on("dialog", (dialog) => {
          dialogs++;
          void dialog.dismiss();
        });
        try {
          const response = await page.goto(`${browser.url}stream?type=note&id=evil`);
          expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
          expect(JSON.parse(await text(page.locator("pre.payload")))).toEqual({ text: SCRIPT_PAYLOAD });
          expect(await page.evaluate(() => (globalThis as { pwned?: boolean }).pwned)).toBeUndefined();
          expect(await page.locator("main script, main img").count()).toBe(0);
          expect(dialogs).toBe(0);
        } finally {
          await page.close();
        }
      });

      it("shows new commits on the live log without reloading, and holds them while paused", async () => {
        const { browser, bank, page } = await seeded();
        try {
          await page.goto(`${browser.url}log`);
          await page.locator("#live-status", { hasText: "live" }).waitFor();
          expectOk(await bank.execute("carol-1", open("carol-1")));
          await page.locator("#log-body tr", { hasText: "default / carol-1 #1" }).waitFor();
          await page.screenshot({ path: await screenshotPath(`log-${kind.name}`), fullPage: true });

          await page.click("#pause");
          expectOk(await bank.execute("carol-1", deposit(3)));
          await page.locator("#received", { hasText: /^2$/ }).waitFor();
          expect(await page.locator("#log-body tr", { hasText: "default / carol-1 #2" }).count()).toBe(0);
          await page.click("#pause");
          await page.locator("#log-body tr", { hasText: "default / carol-1 #2" }).waitFor();
          expect(await text(page.locator("#log-body tr").first())).toContain("CustomerDepositedCash");
        } finally {
          await page.close();
        }
      });

      it("catalogues event types with counts and versions, and shows the named queries", async () => {
        const { browser, page } = await seeded();
        try {
          await page.goto(`${browser.url}types`);
          expect(await page.locator("table.catalogue tbody tr").allInnerTexts()).toEqual([
            "AccountOpened\t3\t1",
            "CustomerDepositedCash\t1\t1",
            "NoteWritten\t1\t1",
          ]);
          await page.screenshot({ path: await screenshotPath(`types-${kind.name}`), fullPage: true });

          await page.goto(`${browser.url}queries`);
          const row = page.locator("table.queries tbody tr", { hasText: "balances" });
          await expect.poll(async () => (await text(row)).includes("this process")).toBe(true);
          expect(await page.locator("a.button").count()).toBe(0);
          await page.screenshot({ path: await screenshotPath(`queries-${kind.name}`), fullPage: true });
        } finally {
          await page.close();
        }
      });

      it("bound with a token, answers 401 without it and lets the browser in once it is given, live log included", async () => {
        const { browser, page } = await seeded({ token: TOKEN, host: "0.0.0.0" });
        const base = browser.url.replace("0.0.0.0", "127.0.0.1");
        try {
          const refused = await page.goto(`${base}streams`);
          expect(refused?.status()).toBe(401);
          const live = await fetch(`${base}log/live`);
          expect(live.status).toBe(401);
          await live.body?.cancel();

          const admitted = await page.goto(`${base}streams?token=${TOKEN}`);
          expect(admitted?.status()).toBe(200);
          expect(page.url()).toBe(`${base}streams`);
          expect(await page.locator("a.stream-link").count()).toBe(4);
          await page.goto(`${base}log`);
          await page.locator("#live-status", { hasText: "live" }).waitFor();
          const cookies = await chromium.context.cookies(base);
          expect(cookies.map((c) => [c.httpOnly, c.sameSite, c.value.includes(TOKEN)])).toEqual([
            [true, "Strict", false],
          ]);
        } finally {
          await chromium.context.clearCookies();
          await page.close();
        }
      });
    });
  }
});
