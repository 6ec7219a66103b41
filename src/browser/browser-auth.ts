/**
 * Who may ask: the token check and the Host check, run before every route (the live stream too).
 *
 * With a token, a request passes with `Authorization: Bearer <token>` or the session cookie. A browser
 * gets the cookie by opening any page once with `?token=<token>`: the server sets an HttpOnly,
 * SameSite=Strict cookie holding a random session value (never the token itself) and redirects to the
 * same address without the token, so it stays out of history and logs. Comparisons take constant time.
 *
 * On a loopback address the Host header must name the loopback too, so a web page that rebinds its own
 * domain name to 127.0.0.1 cannot read the store through the visitor's browser.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";

/** The session cookie's name. */
export const SESSION_COOKIE = "eventsourcing_browser";

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Constant-time equality of two secrets (compared as SHA-256 digests, so lengths leak nothing). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The secrets of one running browser. */
export interface BrowserSecrets {
  readonly token: string | null;
  /** The cookie value handed out for a valid `?token=`; random per server. */
  readonly session: string;
  /** The hidden form field every write must echo; random per server. */
  readonly formKey: string;
}

/** Fresh secrets for one server. */
export function createSecrets(token: string | null): BrowserSecrets {
  return {
    token,
    session: randomBytes(32).toString("base64url"),
    formKey: randomBytes(32).toString("base64url"),
  };
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

function hostName(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(header);
  return match?.[1]?.toLowerCase() ?? null;
}

function unauthorized(c: Context): Response {
  c.header("WWW-Authenticate", 'Bearer realm="eventsourcing"');
  return c.text("401 Unauthorized: this event browser needs its token", 401);
}

/** The middleware: Host check on loopback binds, then the token check when a token is set. */
export function authenticate(secrets: BrowserSecrets, loopbackOnly: boolean): MiddlewareHandler {
  return async (c, next) => {
    if (loopbackOnly) {
      const host = hostName(c.req.header("host"));
      if (host === null || !LOOPBACK_HOSTS.has(host))
        return c.text("421 Misdirected Request: open this browser at 127.0.0.1 or localhost", 421);
    }
    const { token } = secrets;
    if (token === null) return next();

    const authorization = c.req.header("authorization");
    if (authorization !== undefined) {
      const bearer = /^Bearer (.+)$/.exec(authorization)?.[1];
      return bearer !== undefined && sameSecret(bearer, token) ? next() : unauthorized(c);
    }
    const given = c.req.query("token");
    if (given !== undefined) {
      if (!sameSecret(given, token)) return unauthorized(c);
      setCookie(c, SESSION_COOKIE, secrets.session, {
        httpOnly: true,
        sameSite: "Strict",
        path: "/",
      });
      const url = new URL(c.req.url);
      url.searchParams.delete("token");
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie !== undefined && sameSecret(cookie, secrets.session)) return next();
    return unauthorized(c);
  };
}
