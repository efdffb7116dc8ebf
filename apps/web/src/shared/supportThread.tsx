import type { SupportAttachment, SupportMessage } from '@cryptovault/contract';

/** How long ago, in words a person reads at a glance ("3 min ago", "2 h ago", then the date). */
export function since(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  if (s < 7 * 86_400) return `${Math.floor(s / 86_400)} d ago`;
  return new Date(iso).toLocaleDateString();
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const KIND: Record<SupportAttachment['contentType'], string> = { 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'application/pdf': 'PDF' };

/**
 * A support thread, oldest first (the user's page and the operator console). Every text is rendered as text, never
 * as markup. Internal notes (operators only; the API never sends them to users) are marked as such.
 */
export function SupportMessages({
  messages,
  viewer,
  onOpenAttachment,
}: {
  messages: SupportMessage[];
  viewer: 'user' | 'operator';
  onOpenAttachment: (attachmentId: string) => void;
}) {
  return (
    <ol className="support-thread" aria-label="Messages">
      {messages.map((m) => {
        const mine = m.author === viewer;
        const who = m.internal ? `Internal note · ${m.authorName}` : m.author === 'operator' ? `${m.authorName} (CryptoVault support)` : m.authorName;
        return (
          <li
            key={m.id}
            className={`support-msg${mine ? ' support-msg-mine' : ''}${m.internal ? ' support-msg-internal' : ''}`}
            data-testid={m.internal ? 'support-note' : `support-msg-${m.author}`}
          >
            <div className="support-msg-head small">
              <strong>{who}</strong>
              <time className="muted" dateTime={m.createdAt} title={new Date(m.createdAt).toLocaleString()}>
                {new Date(m.createdAt).toLocaleString()}
              </time>
            </div>
            <div className="support-msg-body">{m.body}</div>
            {m.attachments.length > 0 && (
              <ul className="support-files">
                {m.attachments.map((a) => (
                  <li key={a.id}>
                    <button type="button" className="btn btn-sm" onClick={() => onOpenAttachment(a.id)}>
                      {a.fileName}
                    </button>{' '}
                    <span className="small muted">
                      {KIND[a.contentType]}, {fileSize(a.sizeBytes)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/**
 * Opens a support file: asks the API for a short-lived link signed for this viewer, then shows it in a new tab
 * (opened at once, before the request, so the browser does not treat it as a pop-up).
 */
export function openSignedLink(apiBaseUrl: string, fetchLink: () => Promise<{ url: string }>, onError: (e: unknown) => void): void {
  const tab = window.open('about:blank', '_blank');
  fetchLink().then(
    ({ url }) => {
      const href = `${apiBaseUrl}${url}`;
      if (tab) tab.location.href = href;
      else window.location.assign(href);
    },
    (e: unknown) => {
      tab?.close();
      onError(e);
    },
  );
}
