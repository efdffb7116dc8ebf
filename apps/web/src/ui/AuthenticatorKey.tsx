/** The authenticator enrolment block: instructions, the QR code and the key to type by hand (2FA setup, first admin). */
export function AuthenticatorKey({ qrSvg, secret }: { qrSvg: string; secret: string }) {
  return (
    <>
      <p className="small">Scan this code with your authenticator app, or type the key by hand, then enter the 6-digit code it shows.</p>
      <div className="qr">
        <img src={`data:image/svg+xml;utf8,${encodeURIComponent(qrSvg)}`} alt="QR code for your authenticator app" />
      </div>
      <div>
        <div className="label">Key</div>
        <code className="num break" data-testid="totp-secret">
          {secret}
        </code>
      </div>
    </>
  );
}
