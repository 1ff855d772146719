/**
 * Text from a model (tensor, node and operator names) or from a backend, made safe to print: control characters
 * (C0, DEL, C1), line and paragraph separators and bidirectional overrides become visible escapes (`\n`, `\x1b`,
 * `\u202e`), so a name can neither break a one-line message nor send terminal escape sequences. Idempotent: the
 * result holds no control characters, so escaping it again changes nothing.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** A user-controlled name quoted for a message: `'name'`, escaped. */
export function quoted(name: string): string {
  return `'${printable(name)}'`;
}
