/**
 * The browser's safety rules over plain HTTP, on every store: refusing to listen on another address
 * without a token, the token on every request (the live stream too), the Host check on loopback, no
 * file served by path, and the one write only when enabled and only from its own form.
 */
import { request } from "node:http";
import { afterEach, expect, it } from "vitest";
import { type EventBrowser, eventBrowser } from "../../src/browser/index.js";
import type { EventStore } from "../../src/core/event-store.js";
import { forEachStore } from "../support/stores.js";
import { useSystems } from "../support/system.js";

const TOKEN = "another-token-long-enough-5678";

/** A GET or POST with full control over the headers (fetch cannot set Host). */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      const done = () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
      // The live stream never ends: its first bytes are enough.
      if (String(res.headers["content-type"]).startsWith("text/event-stream")) {
        res.once("data", (chunk: Buffer) => {
          chunks.push(chunk);
          res.destroy();
          done();
        });
        return;
      }
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", done);
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

forEachStore("the web event browser's safety rules", (kind) => {
  const systems = useSystems(kind);
  const browsers: EventBrowser[] = [];
  afterEach(async () => {
    for (const browser of browsers.splice(0)) await browser.close();
  });
  async function start(store: EventStore, options: Partial<Parameters<typeof eventBrowser>[0]> = {}) {
    const browser = await eventBrowser({ store, port: 0, ...options });
    browsers.push(browser);
    return browser;
  }

  it("refuses to listen on another address without a token, saying why", async () => {
    const { store } = await systems.store();
    await expect(eventBrowser({ store, host: "0.0.0.0", port: 0 })).rejects.toThrow(
      /binding to 0\.0\.0\.0 lets other machines read the store; give a token/,
    );
    await expect(eventBrowser({ store, port: 0, token: "short" })).rejects.toThrow(/at least 16 characters/);
  });

  it("checks the token on every request, the live stream included, and never echoes it", async () => {
    const { store } = await systems.store();
    const browser = await start(store, { token: TOKEN });
    expect(browser.url).not.toContain(TOKEN);
    expect((await send(`${browser.url}streams`)).status).toBe(401);
    expect((await send(`${browser.url}log/live`)).status).toBe(401);
    expect((await send(`${browser.url}assets/browser.js`)).status).toBe(401);
    expect(
      (
        await send(`${browser.url}streams`, {
          headers: { authorization: "Bearer wrong-token-of-some-length" },
        })
      ).status,
    ).toBe(401);
    expect((await send(`${browser.url}streams?token=wrong-token-of-some-length`)).status).toBe(401);

    const bearer = { authorization: `Bearer ${TOKEN}` };
    const page = await send(`${browser.url}streams`, { headers: bearer });
    expect(page.status).toBe(200);
    expect(page.body).not.toContain(TOKEN);
    const live = await send(`${browser.url}log/live`, { headers: bearer });
    expect(live.status).toBe(200);
    expect(live.body).toContain("event: ready");

    const admitted = await send(`${browser.url}types?token=${TOKEN}&x=1`);
    expect(admitted.status).toBe(303);
    expect(admitted.headers.location).toBe("/types?x=1");
    const cookie = String(admitted.headers["set-cookie"]);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(";")[0] ?? "";
    expect((await send(`${browser.url}types`, { headers: { cookie: session } })).status).toBe(200);
    expect((await send(`${browser.url}types`, { headers: { cookie: `${session}x` } })).status).toBe(401);
  });

  it("on loopback, answers only requests addressed to the loopback, not a rebound domain", async () => {
    const { store } = await systems.store();
    const browser = await start(store);
    const port = new URL(browser.url).port;
    expect((await send(`${browser.url}streams`, { headers: { host: `localhost:${port}` } })).status).toBe(
      200,
    );
    expect(
      (await send(`${browser.url}streams`, { headers: { host: `attacker.example:${port}` } })).status,
    ).toBe(421);
  });

  it("sends a Content-Security-Policy that allows no inline script, and serves no file by path", async () => {
    const { store } = await systems.store();
    const browser = await start(store);
    const page = await send(`${browser.url}streams`);
    expect(page.headers["content-security-policy"]).toMatch(/default-src 'none'.*script-src 'self'/);
    expect(page.headers["x-content-type-options"]).toBe("nosniff");
    for (const path of [
      "assets/../package.json",
      "assets/%2e%2e/package.json",
      "package.json",
      "assets/browser.ts",
    ])
      expect((await send(`${browser.url}${path}`)).status).toBe(404);
  });

  it("escapes ids and payloads in every page", async () => {
    const { store } = await systems.store();
    const hostile = '<b id="x">"quoted"</b>';
    await store.append([
      {
        aggregateType: hostile,
        aggregateId: hostile,
        expectedSequence: 0,
        events: [
          {
            eventType: hostile,
            payload: JSON.stringify({ hostile }),
            metadata: { [hostile]: hostile, correlationId: hostile },
          },
        ],
      },
    ]);
    const browser = await start(store);
    const id = encodeURIComponent(hostile);
    for (const path of ["streams", `stream?type=${id}&id=${id}`, "log", "types", `related?id=${id}`]) {
      const page = await send(`${browser.url}${path}`);
      expect(page.status).toBe(200);
      expect(page.body).not.toContain("<b id=");
      expect(page.body).toContain("&lt;b id=");
    }
  });

  it("opens every stream from its link, whatever characters its id holds", async () => {
    const { store } = await systems.store();
    const ids = [".", "..", "a/b", "50%", "q?x=1&y", "h#1", "ünï cødé"];
    for (const id of ids)
      await store.append([
        {
          aggregateType: "t/y pe",
          aggregateId: id,
          expectedSequence: 0,
          events: [{ eventType: "E", payload: JSON.stringify({ id }), metadata: {} }],
        },
      ]);
    const browser = await start(store);
    const list = (await send(`${browser.url}streams`)).body;
    const links = [...list.matchAll(/class="stream-link" href="([^"]+)"/g)].map((m) => m[1] ?? "");
    expect(links).toHaveLength(ids.length);
    const titles: string[] = [];
    for (const link of links) {
      const page = await send(`${browser.url}${link.slice(1).replaceAll("&amp;", "&")}`);
      expect(page.status).toBe(200);
      titles.push(/<h1>([^<]*)<\/h1>/.exec(page.body)?.[1] ?? "");
    }
    const escapeAmpersands = (text: string) => text.replaceAll("&", "&amp;");
    expect(titles.sort()).toEqual(ids.map((id) => escapeAmpersands(`t/y pe / ${id}`)).sort());
  });

  it("is read-only unless writes are enabled, and takes a reset only from its own form", async () => {
    const { store } = await systems.store();
    const name = "q/../1?";
    await store.saveCheckpoint(name, 3n);
    // The reset is the store's own: recorded as a new generation with the checkpoint back at the start.
    const generation = async () => (await store.loadQueryCheckpoint?.(name))?.generation ?? 0;
    const readOnly = await start(store);
    const readOnlyPage = (await send(`${readOnly.url}queries`)).body;
    expect(readOnlyPage).toContain("q/../1?");
    expect(readOnlyPage).not.toContain("Reset…");
    expect((await send(`${readOnly.url}queries/reset`, { method: "POST" })).status).toBe(404);

    const writable = await start(store, { allowWrites: true });
    const link = /href="(\/queries\/reset\?[^"]+)">Reset…/.exec(
      (await send(`${writable.url}queries`)).body,
    )?.[1];
    expect(link).toBe(`/queries/reset?name=${encodeURIComponent(name).replaceAll("%20", "+")}`);
    const confirm = await send(`${writable.url}${(link ?? "").slice(1)}`);
    expect(confirm.status).toBe(200);
    const formKey = /name="formKey" value="([^"]+)"/.exec(confirm.body)?.[1] ?? "";
    expect(formKey).not.toBe("");
    expect(confirm.body).toContain(`name="name" value="q/../1?"`);
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const post = (body: string) =>
      send(`${writable.url}queries/reset`, { method: "POST", headers: form, body });
    expect((await post(`name=${encodeURIComponent(name)}&formKey=forged`)).status).toBe(403);
    expect((await post(`name=${encodeURIComponent(name)}`)).status).toBe(403);
    expect(await generation()).toBe(0);
    expect(await store.loadCheckpoint(name)).toBe(3n);
    const done = await post(`name=${encodeURIComponent(name)}&formKey=${encodeURIComponent(formKey)}`);
    expect(done.status).toBe(200);
    expect(await generation()).toBe(1);
    expect(await store.loadCheckpoint(name)).toBe(0n);

    // A store of its own without the optional method: no reset is offered.
    const withoutReset = new Proxy(store, {
      get(target, key) {
        if (key === "requestQueryReset") return undefined;
        const value: unknown = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const withoutMethod = await start(withoutReset, { allowWrites: true });
    expect((await send(`${withoutMethod.url}queries/reset?name=q`)).status).toBe(404);
  });

  it("takes allowWrites only as a boolean", async () => {
    const { store } = await systems.store();
    await expect(eventBrowser({ store, port: 0, allowWrites: "yes" as unknown as boolean })).rejects.toThrow(
      TypeError,
    );
    await expect(eventBrowser({ store, port: 0, allowWrites: 1 as unknown as boolean })).rejects.toThrow(
      "`allowWrites` must be true or false",
    );
  });

  it("the live log refuses a malformed start and, given none, starts at the head", async () => {
    const { store } = await systems.store();
    const [outcome] = await store.append([
      {
        aggregateType: "t",
        aggregateId: "a",
        expectedSequence: 0,
        events: [1, 2, 3].map((n) => ({ eventType: "E", payload: `{"n":${n}}`, metadata: {} })),
      },
    ]);
    if (!outcome?.ok) throw new Error("seed conflict");
    const head = (await store.readAll(0n, 10)).at(-1)?.position;
    const browser = await start(store);
    const live = (query: string, headers: Record<string, string> = {}) =>
      send(`${browser.url}log/live${query}`, { headers });
    for (const after of ["abc", "-1", "", "9223372036854775808", "1e3"]) {
      const refused = await live(`?after=${encodeURIComponent(after)}`);
      expect(refused.status, after).toBe(400);
      expect(refused.body).toContain("after must be a log position");
    }
    const ready = (body: string) => /event: ready\ndata: (\d+)/.exec(body)?.[1];
    expect(ready((await live("")).body)).toBe(String(head));
    expect(ready((await live("?after=0")).body)).toBe("0");
    expect(ready((await live("?after=9223372036854775807")).body)).toBe("9223372036854775807");
    // A reconnecting EventSource resumes from the last event it had.
    expect(ready((await live("?after=0", { "last-event-id": "1" })).body)).toBe("1");
    expect((await live("?after=0", { "last-event-id": "x" })).status).toBe(400);
  });

  it("resets only an existing named query, refusing names the library refuses", async () => {
    const { store } = await systems.store();
    await store.saveCheckpoint("known", 2n);
    const writable = await start(store, { allowWrites: true });
    const confirm = await send(`${writable.url}queries/reset?name=known`);
    const formKey = /name="formKey" value="([^"]+)"/.exec(confirm.body)?.[1] ?? "";
    expect(formKey).not.toBe("");
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const post = (name: string) =>
      send(`${writable.url}queries/reset`, {
        method: "POST",
        headers: form,
        body: `name=${encodeURIComponent(name)}&formKey=${encodeURIComponent(formKey)}`,
      });
    const long = await post("n".repeat(3_000));
    expect(long.status).toBe(400);
    expect(long.body).toContain("over the limit");
    expect((await post("a\u0000b")).status).toBe(400);
    const unknown = await post("<script>alert(1)</script>");
    expect(unknown.status).toBe(404);
    expect(unknown.body).not.toContain("<script>");
    expect(unknown.body).toContain("No such named query");
    expect((await send(`${writable.url}queries/reset?name=missing`)).status).toBe(404);
    // No checkpoint row was made for any of them.
    expect((await store.loadCheckpoint("<script>alert(1)</script>")) ?? null).toBeNull();
    expect((await store.loadCheckpoint("n".repeat(3_000))) ?? null).toBeNull();
    expect((await post("known")).status).toBe(200);
  });
});
