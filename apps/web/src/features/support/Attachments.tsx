import { SUPPORT_ATTACHMENTS_PER_MESSAGE, type SupportAttachment } from '@cryptovault/contract';
import { useId, useRef, useState } from 'react';
import { describeError } from '../../lib/errors.ts';
import { useApi } from '../../shared/services.ts';
import { fileSize } from '../../shared/supportThread.tsx';
import { fileToBase64, supportApi } from './api.ts';

/**
 * Files to send with a message: each is uploaded as soon as it is chosen (the server checks its type by its bytes:
 * JPEG, PNG or PDF) and sent by id with the message. Removing one here only leaves it out of the message.
 */
export function AttachmentPicker({ files, onChange }: { files: SupportAttachment[]; onChange: (files: SupportAttachment[]) => void }) {
  const api = useApi();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const full = files.length >= SUPPORT_ATTACHMENTS_PER_MESSAGE;

  async function add(list: FileList | null) {
    if (!list?.length) return;
    setError(null);
    setBusy(true);
    const added: SupportAttachment[] = [];
    try {
      for (const file of [...list].slice(0, SUPPORT_ATTACHMENTS_PER_MESSAGE - files.length)) {
        try {
          added.push(await supportApi(api).upload(await fileToBase64(file)));
        } catch (e) {
          setError(`${file.name}: ${describeError(e)}`);
        }
      }
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
      if (added.length) onChange([...files, ...added]);
    }
  }

  return (
    <div className="field">
      <label htmlFor={id}>Attachments (optional)</label>
      <input
        ref={input}
        id={id}
        type="file"
        className="input"
        accept="image/jpeg,image/png,application/pdf"
        multiple
        disabled={busy || full}
        aria-describedby={`${id}-hint`}
        onChange={(e) => void add(e.target.files)}
      />
      <span id={`${id}-hint`} className="hint">
        {busy ? 'Uploading…' : `Screenshots or documents: JPEG, PNG or PDF, up to ${SUPPORT_ATTACHMENTS_PER_MESSAGE} files.`}
      </span>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
      {files.length > 0 && (
        <ul className="support-files" aria-label="Files to send">
          {files.map((f) => (
            <li key={f.id}>
              <span className="badge">{f.fileName}</span> <span className="small muted">{fileSize(f.sizeBytes)}</span>{' '}
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                onClick={() => onChange(files.filter((x) => x.id !== f.id))}
                aria-label={`Remove ${f.fileName}`}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
