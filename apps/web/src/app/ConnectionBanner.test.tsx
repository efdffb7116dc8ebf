// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionBanner } from './ConnectionBanner.tsx';

afterEach(cleanup);

describe('ConnectionBanner', () => {
  it('stays out of the way while everything is connected', () => {
    render(<ConnectionBanner health="online" socket="connected" onRetry={() => {}} />);
    expect(screen.queryByTestId('connection-banner')).toBeNull();
  });

  it('announces a lost connection politely and offers a retry', async () => {
    const onRetry = vi.fn();
    render(<ConnectionBanner health="offline" socket="disconnected" onRetry={onRetry} />);
    const banner = screen.getByRole('status');
    expect(banner.textContent).toContain('Connection lost. Reconnecting…');
    expect(banner.getAttribute('aria-live')).toBe('polite');
    await userEvent.click(screen.getByRole('button', { name: 'Retry now' }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it('says live updates are paused when only the socket is down', () => {
    render(<ConnectionBanner health="online" socket="disconnected" onRetry={() => {}} />);
    expect(screen.getByRole('status').textContent).toBe('Live updates paused. Reconnecting…');
    expect(screen.queryByRole('button')).toBeNull();
  });
});
