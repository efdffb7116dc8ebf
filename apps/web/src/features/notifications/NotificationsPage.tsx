import { QueryState } from '../../ui/states.tsx';
import { useMarkRead, useNotifications } from './api.ts';

export default function NotificationsPage() {
  const list = useNotifications(100);
  const mark = useMarkRead();
  return (
    <>
      <div className="page-head">
        <h1>Notifications</h1>
        <button type="button" className="btn" onClick={() => mark.mutate('all')}>
          Mark all read
        </button>
      </div>
      <section className="card">
        <QueryState query={list} isEmpty={(d) => d.items.length === 0} empty="No notifications yet.">
          {(d) => (
            <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
              {d.items.map((n) => (
                <li key={n.id} className={`notif ${n.readAt ? '' : 'unread'}`}>
                  <div className="row-between">
                    <strong>{n.title}</strong>
                    <span className="small muted">{new Date(n.createdAt).toLocaleString()}</span>
                  </div>
                  <div className="small">{n.body}</div>
                  {!n.readAt && (
                    <button type="button" className="btn btn-ghost btn-sm" onClick={() => mark.mutate(n.id)}>
                      Mark read
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </QueryState>
      </section>
    </>
  );
}
