/** Shared wrapping for HTML emails; every interpolated value goes through escapeHtml. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** Where the mail personalizers put the anti-phishing code (top) and the freeze link (bottom). */
export const MAIL_TOP = '<!--cv:top-->';
export const MAIL_BOTTOM = '<!--cv:bottom-->';

export function htmlLayout(title: string, bodyHtml: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;background:#f5f6f8;margin:0;padding:24px;color:#1b1f24">
<div style="max-width:520px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
${MAIL_TOP}
<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(title)}</h1>
${bodyHtml}
${MAIL_BOTTOM}
<p style="color:#6b7280;font-size:12px;margin-top:24px">CryptoVault. You received this email because of activity on your account.</p>
</div></body></html>`;
}
