/** The file types the document store accepts, recognised by their first bytes (never by name or declared type). */
export type DocumentContentType = 'image/jpeg' | 'image/png' | 'application/pdf';

export const DOCUMENT_CONTENT_TYPES: readonly DocumentContentType[] = ['image/jpeg', 'image/png', 'application/pdf'];

const SIGNATURES: { type: DocumentContentType; bytes: number[] }[] = [
  // JPEG: SOI marker then the first segment's marker (FF D8 FF).
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  // PNG: the fixed 8-byte signature.
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  // PDF: "%PDF-".
  { type: 'application/pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
];

/** The accepted type these bytes start with, or null (an executable, HTML, a ZIP… named `.jpg` is null). */
export function detectContentType(bytes: Uint8Array): DocumentContentType | null {
  for (const sig of SIGNATURES) {
    if (bytes.length >= sig.bytes.length && sig.bytes.every((b, i) => bytes[i] === b)) return sig.type;
  }
  return null;
}

export function extensionOf(type: DocumentContentType): string {
  return type === 'image/jpeg' ? 'jpg' : type === 'image/png' ? 'png' : 'pdf';
}
