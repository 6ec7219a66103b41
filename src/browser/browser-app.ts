/**
 * The routes: a fixed set of pages over the reader, the live stream, two in-memory assets, and the one
 * write (a query reset) when enabled. Nothing is served by path from disk.
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { keyProblem } from "../eventsourcing/aggregate-id.js";
import { SCRIPT, STYLE } from "./browser-assets.js";
import { authenticate, type BrowserSecrets, sameSecret } from "./browser-auth.js";
import { type BrowserSettings, isLoopback } from "./browser-options.js";
import type { BrowserReader } from "./browser-reader.js";
import { html } from "./html.js";
import { layout } from "./layout.js";
import { logPage, streamLog } from "./log-page.js";
import { queriesPage, queryReset, resetConfirmPage, resetDonePage } from "./queries-page.js";
import { relatedPage } from "./related-page.js";
import { streamPage } from "./stream-page.js";
import { streamsPage } from "./streams-page.js";
import { typesPage } from "./types-page.js";

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

function count(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return null;
  return Number(text);
}

/** The largest log position a store holds (a 64-bit signed integer). */
const MAX_POSITION = 2n ** 63n - 1n;

function position(text: string | undefined): bigint | null {
  if (text === undefined || !/^\d{1,20}$/.test(text)) return null;
  const value = BigInt(text);
  return value <= MAX_POSITION ? value : null;
}

/** The Hono app of one browser; `closed` ends the live streams when the server stops. */
export function browserApp(
  options: BrowserSettings,
  reader: BrowserReader,
  secrets: BrowserSecrets,
  closed: AbortSignal,
): Hono {
  const { store, systems, allowWrites } = options;
  const app = new Hono();

  app.use("*", async (c, next) => {
    await next();
    c.header("Content-Security-Policy", CSP);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    c.header("Cache-Control", "no-store");
  });
  app.use("*", authenticate(secrets, isLoopback(options.host)));

  app.get("/", (c) => c.redirect("/streams", 302));
  app.get("/assets/browser.css", (c) => c.body(STYLE, 200, { "Content-Type": "text/css; charset=utf-8" }));
  app.get("/assets/browser.js", (c) =>
    c.body(SCRIPT, 200, { "Content-Type": "text/javascript; charset=utf-8" }),
  );

  app.get("/streams", async (c) =>
    c.html(
      await streamsPage(reader, {
        type: c.req.query("type"),
        prefix: c.req.query("prefix"),
        afterType: c.req.query("afterType"),
        afterId: c.req.query("afterId"),
      }),
    ),
  );
  // Ids may hold any text ("/", "..", "?"), so the stream is named in the query, not the path.
  app.get("/stream", async (c) => {
    const aggregateType = c.req.query("type");
    const aggregateId = c.req.query("id");
    if (aggregateType === undefined || aggregateId === undefined)
      return c.html(notFound("Name a stream: /stream?type=<aggregate type>&id=<aggregate id>."), 400);
    const page = await streamPage(reader, systems, {
      aggregateType,
      aggregateId,
      after: count(c.req.query("after")) ?? 0,
      at: count(c.req.query("at")),
    });
    return page === null ? c.html(notFound("No such stream: it has no events."), 404) : c.html(page);
  });
  app.get("/log", async (c) => c.html(await logPage(reader)));
  // The page names where it stands (`after`, the head it rendered); a reconnecting EventSource names
  // the last event it had (Last-Event-ID), which wins. Neither: new commits only, from the head.
  app.get("/log/live", async (c) => {
    const resume = c.req.header("last-event-id");
    const given = resume !== undefined && resume !== "" ? resume : c.req.query("after");
    let after: bigint;
    if (given === undefined) after = await reader.headPosition();
    else {
      const parsed = position(given);
      if (parsed === null)
        return c.text(
          `400 Bad Request: after must be a log position, an integer from 0 to ${MAX_POSITION}, got ${JSON.stringify(given.slice(0, 40))}`,
          400,
        );
      after = parsed;
    }
    return streamSSE(c, (stream) => streamLog(reader, stream, after, closed));
  });
  app.get("/types", async (c) => c.html(await typesPage(reader)));
  app.get("/related", async (c) => {
    const id = c.req.query("id");
    if (id === undefined || id === "") return c.html(notFound("Give an id to look for."), 400);
    return c.html(await relatedPage(reader, id));
  });
  app.get("/queries", async (c) => c.html(await queriesPage(reader, store, systems, allowWrites)));

  const reset = allowWrites && store !== null ? queryReset(store) : null;
  if (reset !== null) {
    // Only a named query the store holds a checkpoint of is reset, as the command line's reset-query
    // does: a name the library would refuse, or one no query has, would create a checkpoint row.
    const resetRefusal = async (name: string): Promise<{ status: 400 | 404; message: string } | null> => {
      const problem = keyProblem(name);
      if (problem !== null)
        return { status: 400, message: `That is not a query name the library accepts: ${problem}.` };
      const known = await reader.checkpoints();
      if (known === null || !known.some((entry) => entry.name === name))
        return { status: 404, message: "No such named query: this store holds no checkpoint by that name." };
      return null;
    };
    app.get("/queries/reset", async (c) => {
      const name = c.req.query("name");
      if (name === undefined || name === "") return c.html(notFound("Name the query to reset."), 400);
      const refused = await resetRefusal(name);
      if (refused !== null) return c.html(refusedPage(refused.message), refused.status);
      return c.html(resetConfirmPage(name, secrets.formKey));
    });
    app.post("/queries/reset", async (c) => {
      const form = await c.req.parseBody();
      const key = form.formKey;
      if (typeof key !== "string" || !sameSecret(key, secrets.formKey))
        return c.text("403 Forbidden: the reset must come from this browser's own form", 403);
      const name = form.name;
      if (typeof name !== "string" || name === "") return c.html(notFound("Name the query to reset."), 400);
      const refused = await resetRefusal(name);
      if (refused !== null) return c.html(refusedPage(refused.message), refused.status);
      const outcome: unknown = await reset(name);
      // A store may answer a Result rather than throw.
      if (typeof outcome === "object" && outcome !== null && (outcome as { ok?: unknown }).ok === false)
        return c.html(refusedPage("The store refused the reset."), 409);
      return c.html(resetDonePage(name));
    });
  }

  app.notFound((c) => c.html(notFound("No such page."), 404));
  app.onError((error, c) =>
    c.html(layout("Error", html`<p class="error">The store could not answer: ${error.message}</p>`), 500),
  );
  return app;
}

function refusedPage(message: string): string {
  return layout("Not reset", html`<p class="error">${message}</p><p><a href="/queries">Queries</a></p>`);
}

function notFound(message: string): string {
  return layout("Not found", html`<p>${message}</p><p><a href="/streams">Streams</a></p>`);
}
