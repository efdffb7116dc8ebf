import qrcode from 'qrcode-generator';
import { useMemo } from 'react';

/** A QR code drawn in the browser (no third-party QR service sees the address). */
export function Qr({ text, label }: { text: string; label: string }) {
  const src = useMemo(() => {
    const qr = qrcode(0, 'M');
    qr.addData(text);
    qr.make();
    return qr.createDataURL(6, 2);
  }, [text]);
  return (
    <div className="qr">
      <img src={src} alt={label} />
    </div>
  );
}
