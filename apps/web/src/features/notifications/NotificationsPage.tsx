import type { Notification } from '@cryptovault/contract';
import { Link } from 'react-router';
import { describeError } from '../../lib/errors.ts';
import { FormError } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useMarkRead, useNotificationPreferences, useNotifications, useSetNotificationPreferences } from './api.ts';

/** Where a notification leads: its order, when it is about one. */
export function notificationLink(n: Notification): string | null {
  const orderId = n.data.orderId;
  return typeof orderId === 'string' ? `/orders/${orderId}` : null;
}

function Preferences() {
  const prefs = useNotificationPreferences();
  const save = useSetNotificationPreferences();
  return (
    <section className="card" aria-labelledby="prefs-title" style={{ marginTop: '1rem' }}>
      <h2 id="prefs-title">How you hear about orders</h2>
      <p className="small muted">Emails carry your anti-phishing code. Other notices (deposits, withdrawals, transfers, security) always come.</p>
      <QueryState query={prefs}>
        {(d) => (
          <div className="table-wrap">
            <table className="table" aria-label="Notification preferences">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col" className="right">
                    In the app
                  </th>
                  <th scope="col" className="right">
                    By email
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((p) => (
                  <tr key={p.type}>
                    <td>{p.label}</td>
                    {(['inApp', 'email'] as const).map((channel) => (
                      <td key={channel} className="right">
                        <input
                          type="checkbox"
                          aria-label={`${p.label}: ${channel === 'inApp' ? 'in the app' : 'by email'}`}
                          checked={p[channel]}
                          disabled={save.isPending}
                          onChange={(e) => save.mutate([{ type: p.type, inApp: p.inApp, email: p.email, [channel]: e.target.checked }])}
                        />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      <FormError message={save.error ? describeError(save.error) : undefined} />
    </section>
  );
}

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
            <ul style={{ listStyle: 'none', margin: 0, padding: 0 }} data-testid="notifications">
              {d.items.map((n) => {
                const link = notificationLink(n);
                return (
                  <li key={n.id} className={`notif ${n.readAt ? '' : 'unread'}`}>
                    <div className="row-between">
                      <strong>{link ? <Link to={link}>{n.title}</Link> : n.title}</strong>
                      <span className="small muted">{new Date(n.createdAt).toLocaleString()}</span>
                    </div>
                    <div className="small">{n.body}</div>
                    {!n.readAt && (
                      <button type="button" className="btn btn-ghost btn-sm" onClick={() => mark.mutate(n.id)}>
                        Mark read
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </QueryState>
      </section>
      <Preferences />
    </>
  );
}
