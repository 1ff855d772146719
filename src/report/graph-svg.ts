/**
 * Draws a Graph IR as an inline SVG. Layout is dagre's, run here in Node rather than in the browser, so the
 * drawing is part of the HTML (the same bytes on every run, visible even with scripts off). Text sizes are
 * estimated from a monospace font, since Node has no font metrics.
 */
import dagre from '@dagrejs/dagre';
import { formatType, type Graph, type TensorType } from '../ir/index.js';
import { esc } from './html.js';

const CHAR_W = 7.3;
const FONT = 12;
const LABEL_MAX = 36;

type Kind = 'op' | 'input' | 'weight' | 'constant' | 'output';

interface Box {
  readonly kind: Kind;
  readonly lines: readonly string[];
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly diverged?: boolean;
}

function clip(s: string): string {
  return s.length > LABEL_MAX ? `${s.slice(0, LABEL_MAX - 1)}…` : s;
}

function box(kind: Kind, lines: string[], title: string, diverged = false): Box {
  const shown = lines.map(clip);
  return { kind, lines: shown, title, width: Math.max(...shown.map((l) => l.length)) * CHAR_W + 24, height: shown.length * (FONT + 4) + 14, ...(diverged ? { diverged } : {}) };
}

function pathOf(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

function drawBox(id: string, b: Box & { x: number; y: number }): string {
  const x = b.x - b.width / 2;
  const y = b.y - b.height / 2;
  const cls = b.kind === 'op' ? `op-node${b.diverged ? ' diverged' : ''}` : `io-node ${b.kind}`;
  const rx = b.kind === 'op' ? 4 : b.height / 2;
  const text = b.lines
    .map((l, i) => `<text x="${b.x.toFixed(1)}" y="${(y + 7 + FONT + i * (FONT + 4)).toFixed(1)}"${i === 0 && b.kind === 'op' ? ' class="op-name"' : ''}>${esc(l)}</text>`)
    .join('');
  return `<g class="${cls}" data-id="${esc(id)}"><title>${esc(b.title)}</title><rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${b.width.toFixed(1)}" height="${b.height.toFixed(1)}" rx="${rx.toFixed(1)}"/>${text}</g>`;
}

/**
 * The SVG drawing of `graph`: one `g.op-node` per node (op type and node name; `diverged` marks `divergedNode`),
 * one `g.io-node` per graph input, initializer and output, and edges labelled `tensor: dtype[shape]`.
 * `uid` keeps element ids unique when a page holds several drawings.
 */
export function graphSvg(graph: Graph, uid: string, divergedNode?: string): string {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 36, edgesep: 12, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const types = new Map<string, TensorType>();
  for (const v of [...graph.inputs, ...graph.initializers, ...graph.valueInfo, ...graph.outputs]) types.set(v.name, v);
  // where each tensor comes from: a node, a graph input or an initializer
  const source = new Map<string, string>();
  const boxes = new Map<string, Box>();
  for (const i of graph.inputs) {
    boxes.set(`in:${i.name}`, box('input', [i.name], `graph input ${i.name}: ${formatType(i)}`));
    source.set(i.name, `in:${i.name}`);
  }
  for (const w of graph.initializers) {
    boxes.set(`init:${w.name}`, box(w.kind, [w.name], `${w.kind} ${w.name}: ${formatType(w)}`));
    source.set(w.name, `init:${w.name}`);
  }
  graph.nodes.forEach((n, i) => {
    const attrs = Object.entries(n.attrs).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
    boxes.set(`n:${i}`, box('op', [n.op, n.name], `${n.op} node ${n.name}${attrs ? ` (${attrs})` : ''}`, n.name === divergedNode));
    for (const o of n.outputs) if (o !== '') source.set(o, `n:${i}`);
  });
  for (const o of graph.outputs) boxes.set(`out:${o.name}`, box('output', [o.name], `graph output ${o.name}: ${formatType(o)}`));
  for (const [id, b] of boxes) g.setNode(id, { width: b.width, height: b.height });

  const edges: { v: string; w: string; name: string; label: string }[] = [];
  const addEdge = (tensor: string, w: string): void => {
    const v = source.get(tensor);
    if (!v || edges.some((e) => e.v === v && e.w === w && e.name === tensor)) return;
    const t = types.get(tensor);
    const label = clip(`${tensor}: ${t ? formatType(t) : '?'}`);
    edges.push({ v, w, name: tensor, label });
    g.setEdge(v, w, { label, width: label.length * CHAR_W * 0.9 + 6, height: FONT + 2, labelpos: 'c' }, tensor);
  };
  graph.nodes.forEach((n, i) => n.inputs.forEach((t) => t !== '' && addEdge(t, `n:${i}`)));
  for (const o of graph.outputs) addEdge(o.name, `out:${o.name}`);
  dagre.layout(g);

  const { width = 0, height = 0 } = g.graph();
  const edgeSvg = edges.map((e) => {
    const d = g.edge(e.v, e.w, e.name);
    const lx = Number(d.x ?? 0);
    const ly = Number(d.y ?? 0);
    return `<g class="edge"><path d="${pathOf(d.points)}" marker-end="url(#arrow-${uid})"/><text x="${lx.toFixed(1)}" y="${(ly + 4).toFixed(1)}">${esc(e.label)}</text></g>`;
  });
  const nodeSvg = [...boxes].map(([id, b]) => {
    const p = g.node(id);
    return drawBox(id, { ...b, x: p.x, y: p.y });
  });
  const w = Math.ceil(width);
  const h = Math.ceil(height);
  return [
    `<svg class="graph" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" data-nodes="${graph.nodes.length}" role="img" aria-label="graph of ${graph.nodes.length} nodes">`,
    `<defs><marker id="arrow-${uid}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>`,
    ...edgeSvg,
    ...nodeSvg,
    '</svg>',
  ].join('\n');
}
