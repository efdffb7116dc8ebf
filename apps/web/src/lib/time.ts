/** "3 min ago", "2 h ago", "5 days ago": how long something has waited, for queues. */
export function formatAgo(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return 'just now';
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}

/** An account's age in words: "joined today", "joined 12 days ago", "joined 3 months ago". */
export function formatAccountAge(iso: string, now = Date.now()): string {
  const days = Math.floor((now - Date.parse(iso)) / 86_400_000);
  if (days < 1) return 'joined today';
  if (days < 60) return `joined ${days} day${days === 1 ? '' : 's'} ago`;
  const months = Math.floor(days / 30.44);
  if (months < 24) return `joined ${months} months ago`;
  return `joined ${Math.floor(months / 12)} years ago`;
}

/** Date and time in the viewer's locale, without seconds: "4 Dec 2026, 14:05". */
export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}
