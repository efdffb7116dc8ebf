// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfirmDialog } from './ConfirmDialog.tsx';

afterEach(cleanup);

describe('ConfirmDialog', () => {
  it('shows the figures, focuses Confirm and acts only on it', async () => {
    const onConfirm = vi.fn();
    const onCancel = vi.fn();
    render(
      <ConfirmDialog
        title="Send 0.5 BTC?"
        description="Transfers cannot be undone."
        rows={[
          { label: 'Amount', value: '0.5 BTC' },
          { label: 'Network fee', value: '0.0001 BTC' },
          { label: 'Recipient receives', value: '0.4999 BTC', strong: true, testId: 'received' },
        ]}
        confirmLabel="Send"
        onConfirm={onConfirm}
        onCancel={onCancel}
      />,
    );
    const dialog = screen.getByRole('dialog', { name: 'Send 0.5 BTC?' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(screen.getByText('Transfers cannot be undone.')).toBeTruthy();
    expect(screen.getByTestId('received').textContent).toBe('0.4999 BTC');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Send' }));
    expect(onConfirm).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
    expect(onCancel).not.toHaveBeenCalled();
  });

  it('is drawn in document.body, outside the panel that opened it (a sticky or hidden panel cannot cover or hide it)', () => {
    const { container } = render(
      <section style={{ position: 'sticky' }} data-testid="panel">
        <ConfirmDialog title="Confirm buy BTC" onConfirm={() => {}} onCancel={() => {}} />
      </section>,
    );
    const dialog = screen.getByRole('dialog', { name: 'Confirm buy BTC' });
    expect(container.querySelector('[role="dialog"]')).toBeNull();
    expect(dialog.parentElement?.className).toBe('modal-backdrop');
    expect(dialog.parentElement?.parentElement).toBe(document.body);
  });

  it('Cancel and Escape cancel without confirming', async () => {
    const onConfirm = vi.fn();
    const onCancel = vi.fn();
    render(<ConfirmDialog title="Delete this alert?" tone="danger" confirmLabel="Delete" onConfirm={onConfirm} onCancel={onCancel} />);
    expect(screen.getByRole('button', { name: 'Delete' }).className).toContain('btn-danger');
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    // Escape closes the dialog only, not what listens on the window under it (the phone order sheet).
    const underneath = vi.fn();
    window.addEventListener('keydown', underneath);
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    window.removeEventListener('keydown', underneath);
    expect(underneath).not.toHaveBeenCalled();
    expect(onCancel).toHaveBeenCalledTimes(2);
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it('while busy (or without its figures) nothing can be clicked twice; an error is announced', async () => {
    const onConfirm = vi.fn();
    const onCancel = vi.fn();
    const { rerender } = render(<ConfirmDialog title="Confirm" busy onConfirm={onConfirm} onCancel={onCancel} error="The price moved" />);
    expect((screen.getByRole('button', { name: 'Working…' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Cancel' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(onCancel).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toContain('The price moved');
    rerender(<ConfirmDialog title="Confirm" confirmDisabled onConfirm={onConfirm} onCancel={onCancel} />);
    expect((screen.getByRole('button', { name: 'Confirm' }) as HTMLButtonElement).disabled).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(onConfirm).not.toHaveBeenCalled();
  });
});
