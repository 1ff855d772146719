/**
 * Small HTML helpers for the report. Everything that comes from a campaign folder (error messages, backend
 * paths, tensor names) goes through `esc`, because backend errors routinely hold `<`, `>` and `&`.
 */

/** Escapes text for HTML element content and double-quoted attribute values. */
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * JSON for an inline `<script type="application/json">`: a string holding `</script>` or `<!--` must not end or
 * confuse the script element, so every `<` is written as its JSON escape.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Library source for an inline `<script>`; a literal `</script` inside it would end the element early. */
export function scriptText(source: string): string {
  return source.replace(/<\/script/gi, '<\\/script');
}

/** A number with a few significant digits, written the same way on every run. */
export function num(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e9) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e9)) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}

/** Milliseconds as a readable duration (850 ms, 12.3 s, 4m05s, 2h03m). */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A share as a percentage. */
export function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** An HTML table; cells are already-escaped HTML, `rowClass` optionally classes each body row. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], cls = '', rowClass?: (i: number) => string): string {
  const th = head.map((h) => `<th>${h}</th>`).join('');
  const body = rows
    .map((r, i) => {
      const c = rowClass?.(i);
      return `<tr${c ? ` class="${c}"` : ''}>${r.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}
