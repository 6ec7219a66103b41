/**
 * The one place where values become HTML. Every page is built with the {@link html} tag, which escapes
 * each interpolated value unless it is already {@link Html} made by this module: event payloads, ids and
 * metadata are user data, so a payload holding `<script>` is shown as text.
 */

/** Markup built by {@link html} (or {@link raw} for constant markup): inserted as is. */
export class Html {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

const NEEDS_ESCAPE = /[&<>"'`]/;

/** Text made safe for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

/** A value interpolated into {@link html}: escaped unless it is {@link Html}; arrays are joined. */
export type HtmlValue = Html | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.toString();
  if (value === null || value === undefined || value === false) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

/** Template tag: constant parts as written, every interpolated value escaped. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i] as HtmlValue) + (strings[i + 1] ?? "");
  return new Html(out);
}

/** Constant markup written in this module's pages, never user data. */
export function raw(text: string): Html {
  return new Html(text);
}

/** A query string built from parameters, each encoded; empty values left out. */
export function query(params: Readonly<Record<string, string | number | bigint | undefined>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== "") search.set(key, String(value));
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}
