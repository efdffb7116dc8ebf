import { Fragment, type ReactNode } from 'react';

/**
 * A small, safe Markdown renderer for the legal documents operators write (issue 21): `#`–`###` headings,
 * paragraphs, `-`/`*` and `1.` lists, `**bold**`, `*emphasis*` and `[links](https://…)`. Everything becomes React
 * elements with text children, so no HTML in a document is ever interpreted (`<script>` shows as text), and a link
 * is kept only when it points to http(s), mailto or a path on this site (never `javascript:`).
 */
export function Markdown({ source, className }: { source: string; className?: string }) {
  return <div className={className ?? 'markdown'}>{blocks(source)}</div>;
}

type Block = { kind: 'h'; level: 1 | 2 | 3; text: string } | { kind: 'p'; text: string } | { kind: 'ul' | 'ol'; items: string[] };

export function parseBlocks(source: string): Block[] {
  const out: Block[] = [];
  let para: string[] = [];
  let list: { kind: 'ul' | 'ol'; items: string[] } | null = null;
  const flush = () => {
    if (para.length) out.push({ kind: 'p', text: para.join(' ') });
    para = [];
    if (list) out.push(list);
    list = null;
  };
  for (const raw of source.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    if (!line) {
      flush();
      continue;
    }
    const h = /^(#{1,3})\s+(.*)$/.exec(line);
    if (h) {
      flush();
      out.push({ kind: 'h', level: h[1]!.length as 1 | 2 | 3, text: h[2]! });
      continue;
    }
    const ul = /^[-*]\s+(.*)$/.exec(line);
    const ol = /^\d{1,3}[.)]\s+(.*)$/.exec(line);
    const item = ul ?? ol;
    if (item) {
      const kind = ul ? 'ul' : 'ol';
      if (para.length || (list && list.kind !== kind)) flush();
      list ??= { kind, items: [] };
      list.items.push(item[1]!);
      continue;
    }
    if (list) {
      // A continuation line of the last item.
      const items = list.items;
      items[items.length - 1] = `${items[items.length - 1]} ${line}`;
      continue;
    }
    para.push(line);
  }
  flush();
  return out;
}

function blocks(source: string): ReactNode[] {
  return parseBlocks(source).map((b, i) => {
    const key = `${b.kind}-${i}`;
    if (b.kind === 'h') {
      const H = (['h1', 'h2', 'h3'] as const)[b.level - 1]!;
      return <H key={key}>{inline(b.text)}</H>;
    }
    if (b.kind === 'p') return <p key={key}>{inline(b.text)}</p>;
    const L = b.kind;
    return (
      <L key={key}>
        {b.items.map((it, j) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: list items of a static document, in order
          <li key={j}>{inline(it)}</li>
        ))}
      </L>
    );
  });
}

// A site path, never `//host` or `/\host` (browsers read a backslash as a slash: both leave the site).
const SAFE_HREF = /^(https?:\/\/|mailto:|\/(?![/\\]))/i;

/** Inline marks: **bold**, *emphasis*, [text](href). Unmatched markers stay as text. */
export function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /\*\*([^*]+)\*\*|\*([^*]+)\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  let n = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const key = `i${n++}`;
    if (m[1] !== undefined) out.push(<strong key={key}>{m[1]}</strong>);
    else if (m[2] !== undefined) out.push(<em key={key}>{m[2]}</em>);
    else if (m[3] !== undefined && m[4] !== undefined && SAFE_HREF.test(m[4])) {
      const external = /^https?:/i.test(m[4]);
      out.push(
        <a key={key} href={m[4]} {...(external ? { target: '_blank', rel: 'noopener noreferrer' } : {})}>
          {m[3]}
        </a>,
      );
    } else out.push(<Fragment key={key}>{m[3] ?? m[0]}</Fragment>);
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
