import { type ReactNode, useId, useState } from 'react';
import type { z } from 'zod';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { ConfirmDialog, type ConfirmRow } from '../../ui/ConfirmDialog.tsx';

export interface ActionField {
  name: string;
  label: string;
  /** A reason or a note is a textarea; a hash or an amount is one line. */
  multiline?: boolean;
  hint?: string;
  placeholder?: string;
  inputMode?: 'decimal' | 'text';
}

/**
 * An operator's decision in a dialog (issue 21: no more `window.prompt`): what is being decided on (`rows`, `context`),
 * the fields the decision needs, validated with the contract's schema before sending and the server's answer shown
 * in place; the dialog closes only when the action succeeded.
 */
export function ActionDialog<S extends z.ZodType>({
  title,
  description,
  rows,
  context,
  fields,
  schema,
  confirmLabel,
  tone = 'primary',
  onSubmit,
  onClose,
}: {
  title: string;
  description?: ReactNode;
  rows?: ConfirmRow[];
  context?: ReactNode;
  fields: ActionField[];
  schema: S;
  confirmLabel: string;
  tone?: 'primary' | 'danger';
  onSubmit: (data: z.output<S>) => Promise<unknown>;
  onClose: () => void;
}) {
  const base = useId();
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(fields.map((f) => [f.name, ''])));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  async function submit() {
    // Empty optional fields are absent, as the API expects them.
    const input = Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));
    const v = validate(schema, input);
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    setBusy(true);
    try {
      await onSubmit(v.data);
      onClose();
    } catch (err) {
      setErrors(serverErrors(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <ConfirmDialog
      title={title}
      description={description}
      rows={rows}
      confirmLabel={confirmLabel}
      tone={tone}
      busy={busy}
      error={errors._form}
      focusConfirm={false}
      onConfirm={() => void submit()}
      onCancel={onClose}
    >
      {context}
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {fields.map((f, i) => {
          const id = `${base}-${f.name}`;
          const error = errors[f.name];
          const props = {
            id,
            name: f.name,
            className: 'input',
            value: values[f.name] ?? '',
            placeholder: f.placeholder,
            autoFocus: i === 0,
            'aria-invalid': error ? true : undefined,
            'aria-describedby': [error ? `${id}-err` : null, f.hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined,
            onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [f.name]: e.target.value })),
          };
          return (
            <div className="field" key={f.name}>
              <label htmlFor={id}>{f.label}</label>
              {f.multiline ? <textarea rows={3} {...props} /> : <input inputMode={f.inputMode} autoComplete="off" {...props} />}
              {f.hint && (
                <span id={`${id}-hint`} className="hint">
                  {f.hint}
                </span>
              )}
              {error && (
                <span id={`${id}-err`} className="field-error">
                  {error}
                </span>
              )}
            </div>
          );
        })}
        {/* Enter in a one-line field submits, as in any form. */}
        <button type="submit" hidden />
      </form>
    </ConfirmDialog>
  );
}
