/**
 * The one rule for text a store holds (aggregate ids, event types, metadata, query names, payload
 * strings): it must be well-formed Unicode and free of U+0000. Every store keeps such text intact;
 * a lone surrogate becomes U+FFFD in SQLite and PostgreSQL, and PostgreSQL cannot hold U+0000 at all,
 * so anything else is refused up front, the same way whichever store is used.
 */

// `isWellFormed` is native on Node 20 but not in the ES2022 library types this package compiles against.
const isWellFormed = (String.prototype as unknown as { isWellFormed(this: string): boolean }).isWellFormed;

/** Whether every store holds `text` intact: the fast check for hot paths. */
export function storableText(text: string): boolean {
  return isWellFormed.call(text) && text.indexOf("\u0000") === -1;
}

/** Why `text` cannot be stored intact by every store, or `null` when it can. */
export function textProblem(text: string): string | null {
  if (storableText(text)) return null;
  if (!isWellFormed.call(text)) {
    return `it is not well-formed Unicode (a lone surrogate at index ${loneSurrogateAt(text)})`;
  }
  return `it contains U+0000 (NUL) at index ${text.indexOf("\u0000")}, which PostgreSQL cannot store`;
}

function loneSurrogateAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return i;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return i;
  }
  return -1;
}
