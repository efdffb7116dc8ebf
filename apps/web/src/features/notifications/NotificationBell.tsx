import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useMarkRead, useNotifications, useUnreadCount } from './api.ts';

export function NotificationBell() {
  const unread = useUnreadCount();
  const [open, setOpen] = useState(false);
  const list = useNotifications(8);
  const mark = useMarkRead();
  const box = useRef<HTMLDivElement>(null);
  const count = unread.data?.count ?? 0;

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div className="rel" ref={box}>
      <button
        type="button"
        className="icon-btn"
        aria-label={count ? `Notifications, ${count} unread` : 'Notifications'}
        aria-expanded={open}
        aria-haspopup="dialog"
        onClick={() => setOpen((o) => !o)}
      >
        <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
          <path d="M18 8a6 6 0 1 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.7 21a2 2 0 0 1-3.4 0" />
        </svg>
        {count > 0 && (
          <span className="count-badge" data-testid="unread-count">
            {count > 99 ? '99+' : count}
          </span>
        )}
      </button>
      {open && (
        <div className="popover" role="dialog" aria-label="Notifications">
          <div className="popover-head">
            <strong>Notifications</strong>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => mark.mutate('all')} disabled={!count}>
              Mark all read
            </button>
          </div>
          {list.data?.items.length ? (
            list.data.items.map((n) => (
              <div key={n.id} className={`notif ${n.readAt ? '' : 'unread'}`}>
                <div className="row-between">
                  <strong className="small">{n.title}</strong>
                  {!n.readAt && (
                    <button type="button" className="btn btn-ghost btn-sm" onClick={() => mark.mutate(n.id)}>
                      Mark read
                    </button>
                  )}
                </div>
                <div className="small muted">{n.body}</div>
              </div>
            ))
          ) : (
            <p className="empty small">{list.isPending ? 'Loading…' : 'You are all caught up.'}</p>
          )}
          <div className="popover-head" style={{ borderBottom: 0 }}>
            <Link to="/notifications" onClick={() => setOpen(false)}>
              See all
            </Link>
          </div>
        </div>
      )}
    </div>
  );
}
