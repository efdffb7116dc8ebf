/**
 * The yearly report's two renderings, both written row by row as the computation produces them (never a list of
 * the year's rows in memory): CSV in ~64 kB chunks, and a PDF (pdfkit) whose pages are flushed as they are drawn.
 */
import { formatMoney, TAX_REPORT_COLUMNS } from '@cryptovault/contract';
import PDFDocument from 'pdfkit';
import { findAsset } from '../../platform/assets.ts';
import type { Dec } from '../ledger/index.ts';
import type { Disposal, GainsMethod, ReportTotals } from './gains.compute.ts';
import type { StreamNotes } from './gains.service.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : '');
const cell = (s: string) =>
  /[",\n\r]/.test(s) || /^[=+\-@\t]/.test(s) ? `"${(/^[=+\-@\t]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s).replaceAll('"', '""')}"` : s;

export function csvLine(r: Disposal): string {
  return `${[
    r.asset,
    r.qty.toFixed(),
    iso(r.acquiredAt),
    iso(r.disposedAt),
    r.costUsd.toFixed(2),
    r.proceedsUsd.toFixed(2),
    r.feeUsd.toFixed(2),
    r.gainUsd.toFixed(2),
    r.term,
    r.ref,
  ]
    .map(cell)
    .join(',')}\n`;
}

/** CSV: the header (TAX_REPORT_COLUMNS), then one line per row; an empty year is the header alone. */
export async function* reportCsv(rows: AsyncIterable<Disposal>): AsyncGenerator<string> {
  yield `${TAX_REPORT_COLUMNS.join(',')}\n`;
  let chunk = '';
  for await (const r of rows) {
    chunk += csvLine(r);
    if (chunk.length > 64_000) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

export const METHOD_NAMES: Record<GainsMethod, string> = {
  fifo: 'FIFO (first in, first out)',
  hifo: 'HIFO (highest cost first)',
  average: 'Average cost',
};

/** Table rows on each page after the title page. */
export const PDF_ROWS_PER_PAGE = 30;
/** The title page, then the table's pages (none for a year without disposals). */
export const pdfPageCount = (rows: number) => 1 + Math.ceil(rows / PDF_ROWS_PER_PAGE);

export interface PdfHeader {
  name: string;
  email: string;
  year: number;
  method: GainsMethod;
  totals: ReportTotals;
  notes: StreamNotes;
  generatedAt: Date;
}

// A4 landscape, in points.
const W = 841.89;
const H = 595.28;
const M = 40;
const ROW_H = 14.5;
const COLS: { title: string; width: number; align: 'left' | 'right' }[] = [
  { title: 'Asset', width: 48, align: 'left' },
  { title: 'Quantity', width: 100, align: 'right' },
  { title: 'Acquired', width: 72, align: 'left' },
  { title: 'Disposed', width: 72, align: 'left' },
  { title: 'Cost', width: 92, align: 'right' },
  { title: 'Proceeds (net of fee)', width: 108, align: 'right' },
  { title: 'Fee', width: 70, align: 'right' },
  { title: 'Gain / loss', width: 96, align: 'right' },
  { title: 'Holding', width: 60, align: 'left' },
];
const money = (v: Dec) => formatMoney(v.toFixed(2), 'USD');
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : 'not on record');
const term = (t: Disposal['term']) => (t === 'long' ? 'Long' : t === 'short' ? 'Short' : 'Unknown');

/**
 * The PDF as a stream. `rows` is consumed while the document is written: each page is drawn, then the producer
 * waits while more than ~256 kB are waiting to be read by the client, so a slow download holds a page or two, not
 * the report. Page numbers are "Page n of N": N comes from the row count of the first pass (`header.totals.rows`).
 */
export function reportPdf(header: PdfHeader, rows: AsyncIterable<Disposal>): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margins: { top: M, bottom: 0, left: M, right: M },
    info: { Title: `Realised gains ${header.year}`, Author: 'CryptoVault', Subject: `${header.name} — ${METHOD_NAMES[header.method]}` },
  });
  const pages = pdfPageCount(header.totals.rows);
  let page = 1;
  const footer = () => {
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor('#555555')
      .text(`CryptoVault — realised gains ${header.year} — ${header.name}`, M, H - 28, { width: 500, lineBreak: false })
      .text(`Page ${page} of ${pages}`, W - M - 120, H - 28, { width: 120, align: 'right', lineBreak: false })
      .fillColor('#000000');
  };
  titlePage(doc, header);
  footer();
  void (async () => {
    let n = 0;
    let y = 0;
    for await (const r of rows) {
      if (doc.destroyed) return;
      if (n % PDF_ROWS_PER_PAGE === 0) {
        doc.addPage();
        page++;
        y = tableHeader(doc, header);
        footer();
        while (doc.readableLength > 256 * 1024 && !doc.destroyed) await new Promise((r) => setTimeout(r, 2));
      }
      const cells = [
        r.asset,
        formatMoney(r.qty, r.asset, { maxDecimals: findAsset(r.asset)?.amountPrecision ?? 8 }).replace(` ${r.asset}`, ''),
        day(r.acquiredAt),
        day(r.disposedAt),
        money(r.costUsd),
        money(r.proceedsUsd),
        money(r.feeUsd),
        money(r.gainUsd),
        term(r.term),
      ];
      if (n % 2 === 1)
        doc
          .rect(M, y - 3, W - 2 * M, ROW_H)
          .fill('#f2f4f7')
          .fillColor('#000000');
      rowAt(doc, y, cells, 'Helvetica', r.gainUsd.isNegative() ? 7 : -1);
      y += ROW_H;
      n++;
    }
    doc.end();
  })().catch((err: unknown) => doc.destroy(err instanceof Error ? err : new Error(String(err))));
  return doc;
}

function rowAt(doc: PDFKit.PDFDocument, y: number, cells: string[], font: string, red: number): void {
  let x = M;
  doc.font(font).fontSize(8.5);
  cells.forEach((c, i) => {
    const col = COLS[i]!;
    doc.fillColor(i === red ? '#b42318' : '#000000').text(c, x + 3, y, { width: col.width - 6, align: col.align, lineBreak: false });
    x += col.width;
  });
  doc.fillColor('#000000');
}

function tableHeader(doc: PDFKit.PDFDocument, h: PdfHeader): number {
  doc.font('Helvetica-Bold').fontSize(11).text(`Disposals ${h.year} — ${METHOD_NAMES[h.method]}`, M, M, { lineBreak: false });
  const y = M + 24;
  doc.rect(M, y - 4, W - 2 * M, ROW_H + 2).fill('#1f2a44');
  let x = M;
  doc.font('Helvetica-Bold').fontSize(8.5).fillColor('#ffffff');
  for (const col of COLS) {
    doc.text(col.title, x + 3, y, { width: col.width - 6, align: col.align, lineBreak: false });
    x += col.width;
  }
  doc.fillColor('#000000');
  return y + ROW_H + 4;
}

function titlePage(doc: PDFKit.PDFDocument, h: PdfHeader): void {
  const t = h.totals;
  doc
    .font('Helvetica-Bold')
    .fontSize(22)
    .text(`Realised gains and losses — ${h.year}`, M, M + 10, { lineBreak: false });
  doc
    .font('Helvetica')
    .fontSize(11)
    .fillColor('#444444')
    .text('CryptoVault account statement for a tax return', M, M + 42, { lineBreak: false });
  doc.fillColor('#000000');
  const facts: [string, string][] = [
    ['Account holder', h.name],
    ['Email', h.email],
    ['Tax year', `${h.year} (1 January – 31 December, UTC)`],
    ['Cost-basis method', METHOD_NAMES[h.method]],
    ['Generated', `${h.generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`],
  ];
  let y = M + 80;
  for (const [k, v] of facts) {
    doc.font('Helvetica-Bold').fontSize(10.5).text(k, M, y, { width: 150, lineBreak: false });
    doc.font('Helvetica').text(v, M + 160, y, { width: 450, lineBreak: false });
    y += 18;
  }
  y += 14;
  doc.font('Helvetica-Bold').fontSize(13).text('Totals', M, y, { lineBreak: false });
  y += 22;
  const totals: [string, string][] =
    t.rows === 0
      ? [['Disposals', `None: no sales in ${h.year}`]]
      : [
          ['Disposals (rows)', String(t.rows)],
          ['Proceeds (net of fees)', money(t.proceedsUsd)],
          ['Cost basis', money(t.costUsd)],
          ['Fees (included above)', money(t.feeUsd)],
          ['Net gain / loss', money(t.gainUsd)],
          ['  of which short term (held 365 days or less)', money(t.shortTermGainUsd)],
          ['  of which long term (held more than 365 days)', money(t.longTermGainUsd)],
        ];
  for (const [k, v] of totals) {
    doc.font('Helvetica').fontSize(10.5).text(k, M, y, { width: 300, lineBreak: false });
    doc.font('Helvetica-Bold').text(v, M + 310, y, { width: 140, align: 'right', lineBreak: false });
    y += 17;
  }
  y += 16;
  const notes = [
    'A disposal is a sale on CryptoVault. Each row is the part of one sale that used one acquisition lot; proceeds and fees are spread over the lots by quantity.',
    'Acquisitions: buys (cost = USD paid including the fee), deposits of coins (cost = the USD value the payment was credited at) and transfers received (cost = USD value when received, from the platform’s prices).',
    'Withdrawals and transfers sent are not sales: they take lots out at their cost, with no gain or loss, and are not listed.',
    'Rows with "not on record" as acquisition date sold more than the recorded lots held: their cost is 0 and their holding period unknown (counted as short term).',
  ];
  if (h.notes.unpriced > 0) {
    notes.push(`${h.notes.unpriced} acquisition(s) had no platform price at the time they were received: their cost basis is 0. Ask support for the value.`);
  }
  doc.font('Helvetica').fontSize(9).fillColor('#444444');
  for (const n of notes) {
    doc.text(`•  ${n}`, M, y, { width: W - 2 * M, lineBreak: true });
    y = doc.y + 4;
  }
  doc.fillColor('#000000');
}
