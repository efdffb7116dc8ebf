import type { ReactNode } from 'react';
import { createPortal } from 'react-dom';

/**
 * The backdrop every dialog sits on, rendered into document.body. Inside the page a dialog inherits its parent's
 * stacking context: in the trade page's sticky order panel the chart's canvases were drawn over the market-order
 * confirmation, and in the phone bottom sheet (hidden while closed) the dialog was not drawn at all.
 */
export function ModalLayer({ children }: { children: ReactNode }) {
  return createPortal(<div className="modal-backdrop">{children}</div>, document.body);
}
