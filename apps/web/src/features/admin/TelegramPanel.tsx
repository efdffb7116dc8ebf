import { apiRoutes, type TelegramLinkCode } from '@cryptovault/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../../lib/errors.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useApi } from '../../shared/services.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { CopyButton } from '../../ui/CopyButton.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';

const key = [...qk.admin, 'telegram'] as const;

/**
 * Link this operator's Telegram account to the operations bot: a one-time code (after a step-up, which the API
 * asks for and the StepUpDialog handles), sent to the bot as /link CODE; unlink from here.
 */
export function TelegramPanel() {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const status = useQuery({ queryKey: key, queryFn: () => api.call(apiRoutes.telegram.status) });
  const [code, setCode] = useState<TelegramLinkCode | null>(null);
  const [confirmUnlink, setConfirmUnlink] = useState(false);
  const issue = useMutation({
    mutationFn: () => api.call(apiRoutes.telegram.linkCode),
    onSuccess: (c) => setCode(c),
    onError: (e) => toast.show('error', 'No code issued', describeError(e)),
  });
  const unlink = useMutation({
    mutationFn: () => api.call(apiRoutes.telegram.unlink),
    onSuccess: () => {
      setConfirmUnlink(false);
      setCode(null);
      toast.show('success', 'Telegram unlinked: no more alerts or decisions from it');
      void qc.invalidateQueries({ queryKey: key });
    },
  });

  return (
    <QueryState query={status}>
      {(s) =>
        !s.enabled ? (
          <div className="alert alert-info" role="status">
            The Telegram bot is not set up on this deployment. Operations: set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET (docs/operations.md).
          </div>
        ) : (
          <section className="card stack telegram-panel" aria-labelledby="telegram-title">
            <h2 id="telegram-title">Telegram</h2>
            <p className="muted small">
              Linked operators receive alerts (large withdrawals, deposits in review, KYC submissions, reconciliation drift, stale prices) and can approve or
              reject from the chat. Every decision there asks for your authenticator code and counts as your approval.
            </p>
            {s.linked ? (
              <>
                <p data-testid="telegram-status">
                  Linked{s.username ? ` to @${s.username}` : ''}
                  {s.linkedAt ? ` since ${new Date(s.linkedAt).toLocaleString()}` : ''}.
                </p>
                <div className="row">
                  <button type="button" className="btn btn-ghost" onClick={() => setConfirmUnlink(true)}>
                    Unlink Telegram
                  </button>
                </div>
              </>
            ) : (
              <p data-testid="telegram-status">Not linked.</p>
            )}
            {code ? (
              <div className="alert alert-warn stack" role="status">
                <span>
                  Send this to {s.botUsername ? <strong>@{s.botUsername}</strong> : 'the bot'} in a private chat before{' '}
                  {new Date(code.expiresAt).toLocaleTimeString()}. It works once.
                </span>
                <div className="row telegram-code">
                  <code data-testid="telegram-link-command">{code.command}</code>
                  <CopyButton text={code.command} label="Copy the link command" />
                </div>
                {s.botUsername && (
                  <a className="small" href={`https://t.me/${s.botUsername}`} target="_blank" rel="noreferrer">
                    Open @{s.botUsername} in Telegram
                  </a>
                )}
              </div>
            ) : (
              <div className="row">
                <button type="button" className="btn btn-primary" onClick={() => issue.mutate()} disabled={issue.isPending}>
                  {s.linked ? 'Link another Telegram account' : 'Get a link code'}
                </button>
              </div>
            )}
            {confirmUnlink && (
              <ConfirmDialog
                title="Unlink Telegram?"
                description="This chat stops receiving alerts and can no longer approve anything. You can link again at any time."
                confirmLabel="Unlink"
                tone="danger"
                busy={unlink.isPending}
                error={unlink.error ? describeError(unlink.error) : undefined}
                onConfirm={() => unlink.mutate()}
                onCancel={() => setConfirmUnlink(false)}
              />
            )}
          </section>
        )
      }
    </QueryState>
  );
}
