// @vitest-environment happy-dom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Markdown } from './Markdown.tsx';

afterEach(cleanup);

describe('Markdown (legal documents)', () => {
  it('renders headings, paragraphs, lists and marks', () => {
    const { container } = render(<Markdown source={'# Terms\n\nFirst **bold** and *soft*.\n\n- one\n- two\n  continued\n\n1. first\n2. second'} />);
    expect(container.querySelector('h1')?.textContent).toBe('Terms');
    expect(container.querySelector('p strong')?.textContent).toBe('bold');
    expect(container.querySelector('p em')?.textContent).toBe('soft');
    expect([...container.querySelectorAll('ul li')].map((li) => li.textContent)).toEqual(['one', 'two continued']);
    expect(container.querySelectorAll('ol li')).toHaveLength(2);
  });

  it('never interprets HTML and keeps only safe links', () => {
    const { container } = render(
      <Markdown
        source={
          '<script>alert(1)</script> <img src=x onerror=alert(1)>\n\n[ok](https://example.com) [bad](javascript:alert(1)) [local](/fees) [proto](//evil.example) [slash](/\\evil.example)'
        }
      />,
    );
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toContain('<script>alert(1)</script>');
    const links = [...container.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(links).toEqual(['https://example.com', '/fees']);
    expect(container.textContent).toContain('bad');
  });
});
