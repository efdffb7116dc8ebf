import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';

export type ToastKind = 'success' | 'error' | 'info';
interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  body?: string;
}
interface ToastApi {
  /**
   * Shows a toast. `key` names the event it reports (e.g. `order:<id>:closed`): a second show with a key already
   * shown in the last minute is dropped, so an event reported by two paths (the HTTP answer and the socket) makes
   * one toast.
   */
  show(kind: ToastKind, title: string, body?: string, key?: string): void;
}

const KEY_MEMORY_MS = 60_000;

const ToastContext = createContext<ToastApi>({ show: () => {} });

/** Results of actions, live events (fills, deposits, alerts): polite for news, assertive for failures. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const shown = useRef(new Map<string, number>());
  const dismiss = useCallback((id: number) => setToasts((t) => t.filter((x) => x.id !== id)), []);
  const show = useCallback(
    (kind: ToastKind, title: string, body?: string, key?: string) => {
      if (key) {
        const now = Date.now();
        for (const [k, at] of shown.current) if (now - at > KEY_MEMORY_MS) shown.current.delete(k);
        if (shown.current.has(key)) return;
        shown.current.set(key, now);
      }
      const id = next.current++;
      setToasts((t) => [...t.slice(-3), { id, kind, title, body }]);
      setTimeout(() => dismiss(id), kind === 'error' ? 9_000 : 5_000);
    },
    [dismiss],
  );
  const api = useMemo(() => ({ show }), [show]);
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" aria-live="polite" aria-relevant="additions">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
            <div>
              <div className="toast-title">{t.title}</div>
              {t.body && <div className="small muted">{t.body}</div>}
            </div>
            <button type="button" className="btn btn-ghost btn-sm" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export const useToast = (): ToastApi => useContext(ToastContext);
