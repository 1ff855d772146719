/**
 * A small XML well-formedness check for the JUnit output: the document must tokenise into declarations, tags and
 * text with escaped specials only, and every element must close in order. Returns the element tree so tests can
 * look at names, attributes and counts.
 */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

const ENTITY = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function unescape(s: string, where: string): string {
  if (/&/.test(s.replace(ENTITY, ''))) throw new Error(`bare & in ${where}`);
  return s.replace(ENTITY, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e] ?? String.fromCodePoint(Number(e.startsWith('#x') ? `0x${e.slice(2)}` : e.slice(1))));
}

/** Parses `xml`, throwing on anything not well-formed. */
export function parseXml(xml: string): XmlElement {
  const body = xml.replace(/^\uFEFF?<\?xml[^?]*\?>\s*/, '');
  const token = /<\/([A-Za-z_][\w.-]*)\s*>|<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.:-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = token.exec(body)) !== null) {
    pos = token.lastIndex;
    const [, close, open, rawAttrs, selfClose, text] = m;
    if (text !== undefined) {
      if (stack.length === 0) {
        if (text.trim()) throw new Error(`text outside the root element: ${text.slice(0, 40)}`);
        continue;
      }
      stack[stack.length - 1]!.text += unescape(text, 'text');
    } else if (close !== undefined) {
      const top = stack.pop();
      if (!top || top.name !== close) throw new Error(`</${close}> closes <${top?.name ?? 'nothing'}>`);
    } else {
      const attrs: Record<string, string> = {};
      for (const a of (rawAttrs ?? '').matchAll(/([A-Za-z_][\w.:-]*)="([^"]*)"/g)) {
        if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]} on <${open}>`);
        attrs[a[1]!] = unescape(a[2]!, `attribute ${a[1]}`);
      }
      const el: XmlElement = { name: open!, attrs, children: [], text: '' };
      if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
      else if (root) throw new Error('second root element');
      else root = el;
      if (!selfClose) stack.push(el);
    }
  }
  if (pos < body.length) throw new Error(`not well-formed at offset ${pos}: ${body.slice(pos, pos + 40)}`);
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1]!.name}> is never closed`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Every descendant element named `name`. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...findAll(c, name)]);
}
